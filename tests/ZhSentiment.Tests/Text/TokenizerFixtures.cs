using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using ZhSentiment.Text;

namespace ZhSentiment.Tests.Text;

/// <summary>One line of an oracle output: the text and HF's tokens and ids, [CLS]/[SEP] included.</summary>
internal sealed record OracleEncoding(string Text, string[] Tokens, int[] Ids);

/// <summary>
/// The committed tokenizer fixtures (made by tools/hf-oracle/make-fixtures.mjs) and, where node and the oracle's
/// node_modules are installed, the Hugging Face oracle itself.
/// </summary>
internal static class TokenizerFixtures
{
    public static string Root => Path.Combine(TestPaths.Fixtures, "tokenizer");

    public static string VocabPath => Path.Combine(Root, "vocab.txt");

    /// <summary>A model folder for a fixture configuration: tokenizer-json as committed, the others as vocab.txt + tokenizer_config.json.</summary>
    public static TempFolder ModelFolder(string configuration)
    {
        var folder = new TempFolder();
        foreach (var file in Directory.GetFiles(Path.Combine(Root, configuration)))
            if (Path.GetFileName(file) != "expected.jsonl") File.Copy(file, Path.Combine(folder.Path, Path.GetFileName(file)));
        if (!File.Exists(Path.Combine(folder.Path, "tokenizer.json"))) File.Copy(VocabPath, Path.Combine(folder.Path, "vocab.txt"));
        return folder;
    }

    public static List<OracleEncoding> Expected(string configuration) =>
        File.ReadAllLines(Path.Combine(Root, configuration, "expected.jsonl"), Encoding.UTF8).Select(ParseEncoding).ToList();

    public static OracleEncoding ParseEncoding(string line)
    {
        using var json = JsonDocument.Parse(line);
        var root = json.RootElement;
        return new OracleEncoding(
            JsonString(line, line.IndexOf("\"text\":", StringComparison.Ordinal) + "\"text\":".Length),
            root.GetProperty("tokens").EnumerateArray().Select(t => t.GetString()!).ToArray(),
            root.GetProperty("ids").EnumerateArray().Select(t => t.GetInt32()).ToArray());
    }

    /// <summary>The fixture texts (texts.jsonl: one JSON string per line).</summary>
    public static List<string> Texts() =>
        File.ReadAllLines(Path.Combine(Root, "texts.jsonl"), Encoding.UTF8).Select(line => JsonString(line, 0)).ToList();

    /// <summary>
    /// A JSON string literal starting at <paramref name="i"/>, read by hand: System.Text.Json refuses the unpaired
    /// surrogates that some fixture texts deliberately contain.
    /// </summary>
    private static string JsonString(string line, int i)
    {
        if (line[i] != '"') throw new FormatException("expected a JSON string at " + i);
        var sb = new StringBuilder();
        for (i++; line[i] != '"'; i++)
        {
            if (line[i] != '\\')
            {
                sb.Append(line[i]);
                continue;
            }
            char e = line[++i];
            sb.Append(e switch
            {
                'n' => '\n', 't' => '\t', 'r' => '\r', 'b' => '\b', 'f' => '\f',
                'u' => (char)int.Parse(line.AsSpan(i + 1, 4), NumberStyles.HexNumber, CultureInfo.InvariantCulture),
                _ => e,
            });
            if (e == 'u') i += 4;
        }
        return sb.ToString();
    }

    public static string JsonLine(string text)
    {
        var sb = new StringBuilder("\"");
        foreach (char c in text)
        {
            if (c is '"' or '\\') sb.Append('\\').Append(c);
            else if (c < 0x20 || char.IsSurrogate(c) || c is '\u2028' or '\u2029') sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
            else sb.Append(c);
        }
        return sb.Append('"').ToString();
    }

    /// <summary>The oracle folder, or a skip when node or its node_modules is missing.</summary>
    public static string RequireOracle()
    {
        var dir = Path.Combine(TestPaths.RepoRoot, "tools", "hf-oracle");
        if (!Directory.Exists(Path.Combine(dir, "node_modules", "tokenizers"))) Assert.Skip("tools/hf-oracle/node_modules is missing (run npm ci there)");
        try
        {
            using var probe = Process.Start(new ProcessStartInfo("node", "--version") { RedirectStandardOutput = true, UseShellExecute = false })!;
            probe.WaitForExit();
        }
        catch (System.ComponentModel.Win32Exception)
        {
            Assert.Skip("node is not installed");
        }
        return dir;
    }

    /// <summary>Runs an oracle script on texts (one JSON string per line in) and returns its output lines.</summary>
    public static List<string> RunOracle(string script, IEnumerable<string> texts, params string[] arguments)
    {
        var dir = RequireOracle();
        var start = new ProcessStartInfo("node") { WorkingDirectory = dir, RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(script);
        foreach (var a in arguments) start.ArgumentList.Add(a);
        start.StandardInputEncoding = new UTF8Encoding(false);
        start.StandardOutputEncoding = Encoding.UTF8;
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        foreach (var text in texts) process.StandardInput.Write(JsonLine(text) + "\n");
        process.StandardInput.Close();
        process.WaitForExit();
        if (process.ExitCode != 0) throw new InvalidOperationException($"node {script} failed: {stderr.Result}");
        return stdout.Result.Split('\n', StringSplitOptions.RemoveEmptyEntries).ToList();
    }

    /// <summary>Compares with the oracle and lists the first differences, so a failure says what went wrong where.</summary>
    public static void AssertSameEncodings(ISubwordTokenizer tokenizer, IReadOnlyList<OracleEncoding> expected, string what)
    {
        var failures = new List<string>();
        var ids = new List<int>();
        foreach (var e in expected)
        {
            var tokens = tokenizer.Tokenize(e.Text);
            ids.Clear();
            ids.Add(tokenizer.ClsTokenId);
            tokenizer.EncodeTo(e.Text, ids);
            ids.Add(tokenizer.SepTokenId);
            var wantTokens = e.Tokens[1..^1];
            if (!tokens.SequenceEqual(wantTokens) || !ids.SequenceEqual(e.Ids))
                failures.Add($"{JsonLine(e.Text)}\n    HF:   {string.Join(' ', wantTokens)} | {string.Join(' ', e.Ids)}\n    ours: {string.Join(' ', tokens)} | {string.Join(' ', ids)}");
        }
        Assert.True(failures.Count == 0, $"{what}: {failures.Count} of {expected.Count} texts differ from the Hugging Face tokenizer:\n" + string.Join('\n', failures.Take(15)));
    }
}

/// <summary>A fresh temporary folder, deleted on dispose.</summary>
internal sealed class TempFolder : IDisposable
{
    public TempFolder() => Directory.CreateDirectory(Path);

    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "zhsenti-tests-" + Guid.NewGuid().ToString("N"));

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
