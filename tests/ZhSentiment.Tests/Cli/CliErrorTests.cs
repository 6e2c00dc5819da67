using System.Net;
using System.Net.Sockets;

namespace ZhSentiment.Tests.Cli;

/// <summary>
/// Every verb, given a bad argument or value, exits non-zero with exactly one line on stderr,
/// <c>zhsenti VERB: what is wrong and what to do</c>, and no stack trace, through the real executable.
/// </summary>
public sealed class CliErrorTests : IDisposable
{
    private static readonly string Model = Path.Combine(TestPaths.Fixtures, "models", "modelscope");
    private static readonly string Onnx = Path.Combine(TestPaths.Fixtures, "models", "onnx-export");
    private readonly string _temp = Directory.CreateTempSubdirectory("zhsenti-cli-errors-").FullName;
    private readonly TcpListener _taken = new(IPAddress.Loopback, 0);

    public CliErrorTests()
    {
        File.WriteAllText(Path.Combine(_temp, "data.csv"), "label,text\n1,服务很好\n0,太差了\n");
        _taken.Start();
    }

    public void Dispose()
    {
        _taken.Dispose();
        Directory.Delete(_temp, recursive: true);
    }

    /// <summary>Verb, arguments (space-separated; {temp}, {data}, {model}, {onnx}, {taken} filled in), and a part of the line.</summary>
    public static TheoryData<string, string, string> Cases => new()
    {
        { "zhsenti", "nosuchverb", "unknown verb 'nosuchverb'" },
        { "zhsenti", "serv", "did you mean 'serve'?" },
        { "zhsenti", "", "name a verb" },

        { "serve", "--prot 8080", "unknown option '--prot' (did you mean '--port'?)" },
        { "serve", "--port 8080x", "--port takes a whole number from 0 to 65535, not '8080x'" },
        { "serve", "--port 70000", "--port takes a whole number from 0 to 65535" },
        { "serve", "--host not/a/host", "--host takes a host name or IP address" },
        { "serve", "--urls http://127.0.0.1:0 --port 1", "either --urls or --host/--port" },
        { "serve", "--urls notaurl", "--urls: 'notaurl' is not a URL" },
        { "serve", "--threads abc", "--threads takes a whole number of at least 1, not 'abc'" },
        { "serve", "--long-text foo", "--long-text takes windows or truncate, not 'foo'" },
        { "serve", "--quantize int4", "--quantize takes none or int8, not 'int4'" },
        { "serve", "--max-body-bytes 0", "--max-body-bytes takes a whole number of at least 1" },
        { "serve", "--request-timeout soon", "--request-timeout takes a number above 0, not 'soon'" },
        { "serve", "stray", "unexpected argument 'stray'" },
        { "serve", "--model {temp}/none --port 0", "cannot load the model: " },
        { "serve", "--model a={model} --model A={onnx} --port 0", "two models are named 'A'" },
        { "serve", "--model {model} --model {model} --port 0", "two models are named 'modelscope'" },
        { "serve", "--model a,b={model} --port 0", "the model name 'a,b' (ZhSentiment:Models:0:Name) may only hold letters, digits, '.', '_' and '-'" },
        { "serve", "--model a={model} --model b={temp}/none --port 0", "cannot load the model b: " },
        { "serve", "--model a={model} --model b={onnx} --model c=default --threads 2 --port 0", "The models need 3 threads (at least 1 for each of the other 3) but ZhSentiment:Threads is 2." },
        { "serve", "--admin-key k --api-key k --port 0", "ZhSentiment:AdminKey must differ from ApiKey" },
        { "serve", "--port {taken}", "cannot listen: " },

        { "predict", "--modle {model} x", "unknown option '--modle' (did you mean '--model'?)" },
        { "predict", "--threads 0 x", "--threads takes a whole number of at least 1, not '0'" },
        { "predict", "--long-text all x", "--long-text takes windows or truncate, not 'all'" },
        { "predict", "--quantize int4 x", "--quantize takes none or int8" },
        { "predict", "--model {temp}/none x", "does not exist" },

        { "tokenize", "--quantize int8 x", "unknown option '--quantize'" },
        { "tokenize", "--model {temp}/none x", "does not exist" },

        { "convert", "--model {model}", "'--output' is required" },
        { "convert", "--model {model} --output {temp}/o --quantize int4", "--quantize takes none or int8" },
        { "convert", "--model {onnx} --output {temp}/o", "is already an ONNX model" },

        { "train", "--data {temp}/none.csv --output {temp}/m", "none.csv" },
        { "train", "--data {data} --output {temp}/m --epochs many", "--epochs takes a whole number, not 'many'" },
        { "train", "--data {data} --output {temp}/m --dim 0 --dim 16", "--dim is given 2 times ('0', '16'); give it once" },
        { "predict", "--threads 1 --threads 2 x", "--threads is given 2 times ('1', '2'); give it once" },
        { "train", "--data {data} --output {temp}/m --text-column review", "there is no column 'review'; the columns are: label, text" },
        { "train", "--data {data} --output {temp}/m --label-column stars", "there is no label column 'stars'" },
        { "train", "--data {data} --output {temp}/m --teacher {model} --teacher-weight 1.5", "--teacher-weight takes a number from 0 to 1, not '1.5'" },
        { "train", "--data {data} --output {temp}/m --teacher {model} --teacher-weight -0.1", "--teacher-weight takes a number from 0 to 1, not '-0.1'" },
        { "train", "--data {data} --output {temp}/m --teacher-weight 0.5", "--teacher-weight applies to the teacher: give --teacher DIR too" },
        { "train", "--data {data} --output {temp}/m --threads 2", "--threads applies to the teacher" },
        { "train", "--data {data} --output {temp}/m --teacher {temp}/none", "does not exist" },
        { "train", "--data {data} --output {temp}/m --teacher modelscope:nope", "--teacher: 'modelscope:nope' is not a ModelScope model id" },

        { "eval", "--data {data} --threads x", "--threads takes a whole number" },
        { "eval", "--data {data} --label-column stars", "there is no label column 'stars'" },
        { "eval", "--data {data} --model {temp}/none", "does not exist" },

        { "score", "-i {data}", "'--output' is required" },
        { "score", "-i {data} -o {temp}/o.csv --batch-size none", "--batch-size takes a whole number of at least 1" },
        { "score", "-i {data} -o {temp}/o.csv --format xml", "--format takes csv, tsv or jsonl, not 'xml'" },
        { "score", "-i {data} -o {temp}/o.csv --text-column review --model {model}", "there is no column 'review'" },
        { "score", "-i {temp}/none.csv -o {temp}/o.csv", "does not exist" },
        { "score", "-i {data} -o {temp}/o.csv --model {temp}/none", "does not exist" },

        { "health", "--timeout soon", "--timeout takes a number, not 'soon'" },
        { "health", "--url not-a-url", "--url takes an absolute http(s) URL" },
        { "health", "--url http://127.0.0.1:{taken}/health --timeout 0.5", "http://127.0.0.1:" },
    };

    [Theory]
    [InlineData("ZhSentiment__Threads", "abc", "'abc' at 'ZhSentiment:Threads'")]
    [InlineData("ZhSentiment__LongText", "all", "'all' at 'ZhSentiment:LongText'")]
    [InlineData("ZhSentiment__MaxTextChars", "0", "ZhSentiment:MaxTextChars must be positive (is 0).")]
    [InlineData("ASPNETCORE_URLS", "notaurl", "cannot listen: Invalid url: 'notaurl'")]
    public async Task A_bad_setting_in_the_environment_stops_serve_with_one_line(string name, string value, string says)
    {
        var run = await Zhsenti.RunAsync("", new Dictionary<string, string> { [name] = value }, ["serve", "--cache-dir", Path.Combine(_temp, "cache")]);
        Assert.Equal(1, run.ExitCode);
        var lines = run.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length == 1, $"{lines.Length} lines on stderr:\n{run.Stderr}");
        Assert.StartsWith("zhsenti serve: ", lines[0], StringComparison.Ordinal);
        Assert.Contains(says, lines[0], StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", run.Stderr + run.Stdout, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task A_bad_argument_exits_non_zero_with_one_line_that_names_the_verb(string verb, string arguments, string says)
    {
        var args = arguments.Replace("{temp}", _temp, StringComparison.Ordinal)
            .Replace("{data}", Path.Combine(_temp, "data.csv"), StringComparison.Ordinal)
            .Replace("{model}", Model, StringComparison.Ordinal)
            .Replace("{onnx}", Onnx, StringComparison.Ordinal)
            .Replace("{taken}", ((IPEndPoint)_taken.LocalEndpoint).Port.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (verb != "zhsenti") args = [verb, .. args];
        if (verb is "serve" or "predict" or "tokenize" or "eval" or "score") args = [.. args, "--cache-dir", Path.Combine(_temp, "cache")];

        var run = await Zhsenti.RunAsync("", args);

        Assert.True(run.ExitCode != 0, $"exit 0 for {string.Join(' ', args)}");
        var lines = run.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length == 1, $"{lines.Length} lines on stderr:\n{run.Stderr}");
        Assert.StartsWith($"zhsenti{(verb == "zhsenti" ? "" : " " + verb)}: ", lines[0], StringComparison.Ordinal);
        Assert.Contains(says, lines[0], StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", run.Stderr + run.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", run.Stderr + run.Stdout, StringComparison.Ordinal);
    }
}
