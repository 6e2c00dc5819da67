using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using ZhSentiment.Inference;

namespace ZhSentiment.Tests.Reliability;

/// <summary>
/// <c>zhsenti serve</c> as a process, started against damaged model folders, a broken cache and a taken port: each
/// exits non-zero with one line on stderr that names the problem, and no stack trace. A signal to stop while
/// requests are in flight lets them finish and exits 0.
/// </summary>
public sealed class StartupFaultTests : IDisposable
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(90);
    private readonly string _dir = Directory.CreateTempSubdirectory("zhsenti-faults-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string CopyOf(string fixture, string name)
    {
        var source = Path.Combine(TestPaths.Fixtures, "models", fixture);
        var target = Path.Combine(_dir, name);
        Directory.CreateDirectory(target);
        foreach (var file in Directory.GetFiles(source)) File.Copy(file, Path.Combine(target, Path.GetFileName(file)));
        return target;
    }

    private static void Edit(string file, Func<string, string> change) => File.WriteAllText(file, change(File.ReadAllText(file)));

    private static void Garble(string file, int from, int count)
    {
        var bytes = File.ReadAllBytes(file);
        new Random(from).NextBytes(bytes.AsSpan(from, Math.Min(count, bytes.Length - from)));
        File.WriteAllBytes(file, bytes);
    }

    /// <summary>A folder damaged one way, and a part of the one line that must say so.</summary>
    private (string Name, string Model, string Says) Damaged(string name, string fixture, Action<string> damage, string says)
    {
        var model = CopyOf(fixture, name);
        damage(model);
        return (name, model, says);
    }

    [Fact]
    public async Task Broken_models_and_a_taken_port_exit_1_with_one_clear_line()
    {
        var cases = new List<(string Name, string Model, string Says, string[] Extra)>();
        void Add((string Name, string Model, string Says) c, params string[] extra) => cases.Add((c.Name, c.Model, c.Says, extra));

        Add(Damaged("no-weights", "modelscope", m => File.Delete(Path.Combine(m, "pytorch_model.bin")), "has no weights"));
        Add(Damaged("truncated-weights", "modelscope", m => Truncate(Path.Combine(m, "pytorch_model.bin"), 0.5), "pytorch_model.bin: "));
        Add(Damaged("garbled-weights", "modelscope", m => Garble(Path.Combine(m, "pytorch_model.bin"), 0, 64), "pytorch_model.bin: "));
        Add(Damaged("empty-weights", "hf-safetensors-f32", m => File.WriteAllBytes(Path.Combine(m, "model.safetensors"), []), "model.safetensors: "));
        Add(Damaged("garbled-safetensors-header", "hf-safetensors-f32", m => Garble(Path.Combine(m, "model.safetensors"), 8, 40), "model.safetensors: "));
        Add(Damaged("no-config", "modelscope", m => File.Delete(Path.Combine(m, "config.json")), "has no config.json"));
        Add(Damaged("config-not-json", "modelscope", m => Edit(Path.Combine(m, "config.json"), c => c[..(c.Length / 2)]), "config.json: "));
        Add(Damaged("config-wrong-type", "modelscope", m => Edit(Path.Combine(m, "config.json"), c => c.Replace("\"hidden_size\": 32", "\"hidden_size\": \"32\"", StringComparison.Ordinal)), "config.json: "));
        Add(Damaged("config-mismatched", "modelscope", m => Edit(Path.Combine(m, "config.json"), c => c.Replace("\"hidden_size\": 32", "\"hidden_size\": 64", StringComparison.Ordinal)), "expected [2499,64]"));
        Add(Damaged("no-vocab", "modelscope", m => File.Delete(Path.Combine(m, "vocab.txt")), "no tokenizer"));
        Add(Damaged("foreign-vocab", "modelscope", m => File.AppendAllLines(Path.Combine(m, "vocab.txt"), Enumerable.Range(0, 100).Select(i => $"extra{i}")), "do not belong"));
        Add(Damaged("garbage-onnx", "onnx-export", m => Garble(Path.Combine(m, "model.onnx"), 0, 4096), "model.onnx: "));
        Add(Damaged("truncated-onnx", "onnx-export", m => Truncate(Path.Combine(m, "model.onnx"), 0.3), "model.onnx: "));
        Add(Damaged("nan-weights", "hf-safetensors-f32", m => PoisonClassifierBias(Path.Combine(m, "model.safetensors")), "non-finite logits"));
        Add(("missing-folder", Path.Combine(_dir, "nowhere"), "does not exist"));

        // A cache entry damaged after it was written: the line names the cached file.
        var cached = CopyOf("modelscope", "bad-cache-entry");
        var cache = Path.Combine(_dir, "cache");
        using (var engine = ModelLoader.Load(cached, new ModelLoadOptions { CacheDirectory = cache })) Assert.NotNull(engine.Info.OnnxPath);
        foreach (var onnx in Directory.GetFiles(cache, "model.onnx", SearchOption.AllDirectories)) Truncate(onnx, 0.1);
        cases.Add(("damaged-cache-entry", cached, "model.onnx: ", ["--cache-dir", cache]));

        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        int port = ((IPEndPoint)taken.LocalEndpoint).Port;
        cases.Add(("port-in-use", Path.Combine(TestPaths.Fixtures, "models", "modelscope"), "address already in use", ["--urls", $"http://127.0.0.1:{port}"]));

        var results = await Task.WhenAll(cases.Select(async c =>
        {
            string[] args = ["--model", c.Model, .. c.Extra];
            if (!args.Contains("--cache-dir")) args = [.. args, "--cache-dir", Path.Combine(_dir, "cache-" + c.Name)];
            if (!args.Contains("--urls")) args = [.. args, "--urls", "http://127.0.0.1:0"];
            using var serve = ServeProcess.Start(args);
            int code = await serve.ExitAsync(Limit);
            return (c.Name, c.Says, Code: code, Error: serve.StandardError);
        }));

        var failures = new List<string>();
        foreach (var (name, says, code, error) in results)
        {
            TestContext.Current.TestOutputHelper?.WriteLine($"{name}: exit {code}: {error.Trim()}");
            var lines = error.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            if (code == 0) failures.Add($"{name}: exit code 0");
            if (lines.Length != 1) failures.Add($"{name}: {lines.Length} lines on stderr:\n{error}");
            else if (!lines[0].Contains(says, StringComparison.Ordinal)) failures.Add($"{name}: stderr does not say '{says}': {lines[0]}");
            if (error.Contains("   at ", StringComparison.Ordinal) || error.Contains("Exception", StringComparison.Ordinal)) failures.Add($"{name}: stack trace or exception name on stderr");
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    [Fact]
    public async Task A_cache_that_cannot_be_written_warns_serves_and_SIGTERM_drains_requests_in_flight()
    {
        var notADirectory = Path.Combine(_dir, "cache-is-a-file");
        File.WriteAllText(notADirectory, "");
        using var serve = ServeProcess.Start("--model", Path.Combine(TestPaths.Fixtures, "models", "modelscope"),
            "--cache-dir", notADirectory, "--urls", "http://127.0.0.1:0", "--queue-capacity", "1000000", "--max-batch-rows", "8");
        using var client = new HttpClient { BaseAddress = await serve.ListeningAsync(Limit), Timeout = Limit };
        await Readiness.WaitAsync(client, Limit);
        Assert.Contains("Cannot write the model cache at " + notADirectory, serve.StandardOutput, StringComparison.Ordinal);
        Assert.Contains(": labels from config.json id2label, mapped by meaning:", serve.StandardOutput, StringComparison.Ordinal);

        // Requests heavy enough to be in flight when the signal comes: 1,000 texts of 4 windows each.
        var texts = Enumerable.Range(0, 1000).Select(i => new string((char)('一' + i % 500), 200)).ToArray();
        var body = JsonSerializer.Serialize(new { texts });
        var inFlight = Enumerable.Range(0, 6).Select(_ => client.PostAsync("/predict_batch",
            new StringContent(body, Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken)).ToArray();
        await Task.Delay(300, TestContext.Current.CancellationToken);
        int unfinished = inFlight.Count(t => !t.IsCompleted);
        serve.Terminate();

        Assert.Equal(0, await serve.ExitAsync(Limit));
        foreach (var call in inFlight)
        {
            using var response = await call;
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var results = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).RootElement;
            Assert.Equal(texts.Length, results.GetArrayLength());
        }
        Assert.True(unfinished > 0, "every request had finished before the signal; the test proved nothing");
        Assert.Equal("", serve.StandardError);
        TestContext.Current.TestOutputHelper?.WriteLine($"{unfinished} of {inFlight.Length} requests in flight at SIGTERM; all answered 200");
    }

    /// <summary>Sets classifier.bias to NaN: a file that reads well and whose every answer would be NaN.</summary>
    private static void PoisonClassifierBias(string safetensors)
    {
        var bytes = File.ReadAllBytes(safetensors);
        int headerLength = (int)BitConverter.ToInt64(bytes, 0);
        var offsets = JsonDocument.Parse(bytes.AsMemory(8, headerLength)).RootElement.GetProperty("classifier.bias").GetProperty("data_offsets");
        int start = 8 + headerLength + offsets[0].GetInt32(), end = 8 + headerLength + offsets[1].GetInt32();
        for (int at = start; at < end; at += 4) BitConverter.TryWriteBytes(bytes.AsSpan(at), float.NaN);
        File.WriteAllBytes(safetensors, bytes);
    }

    private static void Truncate(string file, double keep)
    {
        using var stream = File.OpenWrite(file);
        stream.SetLength((long)(stream.Length * keep));
    }
}
