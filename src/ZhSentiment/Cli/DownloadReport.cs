using Spectre.Console;
using ZhSentiment.Models;

namespace ZhSentiment.Cli;

/// <summary>
/// Shows a model download on stderr: on a terminal a progress bar with the rate and the time left; otherwise (a log,
/// a pipe) one line per file, as <c>zhsenti VERB: ...</c>. Warnings and retries are lines in both.
/// </summary>
internal static class DownloadReport
{
    public static T Run<T>(string verb, Func<Action<DownloadEvent>, Task<T>> work) =>
        (Console.IsErrorRedirected ? work(e => Line(verb, e, Console.Error)) : WithBarAsync(verb, work)).GetAwaiter().GetResult();

    private static void Line(string verb, DownloadEvent e, TextWriter writer)
    {
        if (e.Stage is DownloadStage.Progressed or DownloadStage.Planned) return;
        writer.WriteLine(CliErrors.Format(verb, e.Stage == DownloadStage.Warning ? $"warning: {e.Message}" : e.Message));
    }

    private static async Task<T> WithBarAsync<T>(string verb, Func<Action<DownloadEvent>, Task<T>> work)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
        return await console.Progress()
            .AutoClear(true)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new DownloadedColumn(), new TransferSpeedColumn(), new RemainingTimeColumn())
            .StartAsync(async context =>
            {
                ProgressTask? bar = null;
                return await work(e =>
                {
                    switch (e.Stage)
                    {
                        case DownloadStage.Planned:
                            bar = context.AddTask("download", maxValue: Math.Max(1, e.Total));
                            break;
                        case DownloadStage.Started when bar is not null:
                            bar.Description = Markup.Escape(e.File ?? "");
                            bar.Increment(e.Bytes);
                            break;
                        case DownloadStage.Progressed:
                            bar?.Increment(e.Bytes);
                            break;
                        case DownloadStage.Started:
                            break;
                        default:
                            console.WriteLine(CliErrors.Format(verb, e.Stage == DownloadStage.Warning ? $"warning: {e.Message}" : e.Message));
                            break;
                    }
                });
            });
    }
}
