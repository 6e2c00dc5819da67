using ZhSentiment.Cli;

return await CommandLine.RunAsync(args);
