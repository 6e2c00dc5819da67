using System.Diagnostics;
using ZhSentiment.Graph;
using ZhSentiment.Inference;
using ZhSentiment.Serving;
using ZhSentiment.Text;

namespace ZhSentiment.Tests.Reliability;

/// <summary>
/// Mutated config.json, vocab.txt, tokenizer.json and model.onnx files, for a bounded time each: loading them
/// succeeds or throws <see cref="ModelFormatException"/>, nothing else, and no load allocates more than a bound
/// (sizes read from a file are checked before they are allocated). Whatever loads (and, for a model, passes the
/// service's warm-up) tokenizes and predicts any text.
/// ZHSENTI_FUZZ_SECONDS and ZHSENTI_FUZZ_SEED, as for the checkpoint fuzzer, run it longer or elsewhere.
/// </summary>
public sealed class ModelFileFuzzTests : IDisposable
{
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(EnvNumber("ZHSENTI_FUZZ_SECONDS", 2));
    private static readonly int Seed = EnvNumber("ZHSENTI_FUZZ_SEED", 20240601);

    /// <summary>The fixture files are kilobytes; a load that allocates this much has trusted a size it read.</summary>
    private const long AllocationBound = 256L << 20;

    private readonly string _dir = Directory.CreateTempSubdirectory("zhsenti-modelfuzz-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static string Fixture(string model, string file) => Path.Combine(TestPaths.Fixtures, "models", model, file);

    private static int EnvNumber(string name, int fallback) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), out int value) ? value : fallback;

    /// <summary>
    /// Runs <paramref name="attempt"/> on mutants until the budget is spent and at least <paramref name="minRuns"/> have
    /// run (so a busy machine still covers the start of the seeded sequence); returns (runs, refused).
    /// </summary>
    private static (int Runs, int Refused) Fuzz(int minRuns, Func<int, bool> attempt)
    {
        var clock = Stopwatch.StartNew();
        int runs = 0, refused = 0;
        while (clock.Elapsed < Budget || runs < minRuns)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            bool loaded;
            try
            {
                loaded = attempt(runs);
            }
            catch (ModelFormatException)
            {
                loaded = false;
            }
            catch (Exception e)
            {
                Assert.Fail($"run {runs} threw {e.GetType().Name}: {e.Message}\n{e.StackTrace}");
                throw;
            }
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            Assert.True(allocated < AllocationBound, $"run {runs} allocated {allocated >> 20} MB");
            if (!loaded) refused++;
            runs++;
        }
        TestContext.Current.TestOutputHelper?.WriteLine($"{runs} mutants, {refused} refused");
        return (runs, refused);
    }

    [Fact]
    public void Mutated_config_json_loads_or_is_refused()
    {
        var originals = new[] { "modelscope", "hf-bin", "onnx-export" }.Select(m => File.ReadAllText(Fixture(m, "config.json"))).ToArray();
        var mutator = new Mutator(Seed);
        var (runs, refused) = Fuzz(200, _ =>
        {
            var json = System.Text.Encoding.UTF8.GetString(mutator.Json(originals[mutator.Random.Next(originals.Length)]));
            var config = BertConfig.Parse(json);
            Assert.True(config.HiddenSize > 0 && config.NumHiddenLayers > 0 && config.VocabSize > 0 && config.NumLabels > 0);
            return true;
        });
        Assert.InRange(refused, 1, runs - 1);
    }

    [Fact]
    public void Mutated_tokenizer_files_load_or_are_refused_and_what_loads_tokenizes_anything()
    {
        var vocab = File.ReadAllBytes(Fixture("modelscope", "vocab.txt"));
        var tokenizerJson = File.ReadAllText(Fixture("hf-tokenizer-json", "tokenizer.json"));
        var tokenizerConfig = File.ReadAllText(Fixture("hf-tokenizer-json", "tokenizer_config.json"));
        var mutator = new Mutator(Seed);
        var (runs, refused) = Fuzz(40, run =>
        {
            var folder = Path.Combine(_dir, $"tokenizer-{run}");
            Directory.CreateDirectory(folder);
            switch (mutator.Random.Next(4))
            {
                case 0:
                    File.WriteAllBytes(Path.Combine(folder, "vocab.txt"), mutator.Bytes(vocab));
                    break;
                case 1: // lines swapped, duplicated or made huge: still text, wrong content
                    var lines = System.Text.Encoding.UTF8.GetString(vocab).Split('\n').ToList();
                    int at = mutator.Random.Next(lines.Count);
                    lines[at] = mutator.Random.Next(3) switch { 0 => lines[mutator.Random.Next(lines.Count)], 1 => new string('x', 100_000), _ => "" };
                    File.WriteAllText(Path.Combine(folder, "vocab.txt"), string.Join('\n', lines));
                    break;
                case 2:
                    File.WriteAllBytes(Path.Combine(folder, "tokenizer.json"), mutator.Json(tokenizerJson));
                    File.WriteAllText(Path.Combine(folder, "tokenizer_config.json"), tokenizerConfig);
                    break;
                default:
                    File.WriteAllText(Path.Combine(folder, "tokenizer.json"), tokenizerJson);
                    File.WriteAllBytes(Path.Combine(folder, "tokenizer_config.json"), mutator.Json(tokenizerConfig));
                    break;
            }
            try
            {
                var tokenizer = BertTokenizer.Load(folder);
                var ids = new List<int>();
                for (int i = 0; i < 5; i++)
                {
                    var text = mutator.Text();
                    ids.Clear();
                    tokenizer.EncodeTo(text, ids);
                    Assert.All(ids, id => Assert.InRange(id, 0, tokenizer.VocabularySize - 1));
                    Assert.True(ids.Count <= text.Length, $"{ids.Count} ids for {text.Length} characters");
                }
                return true;
            }
            finally
            {
                Directory.Delete(folder, recursive: true);
            }
        });
        Assert.InRange(refused, 1, runs - 1);
    }

    [Fact]
    public void The_fixture_tokenizers_take_any_text()
    {
        var tokenizers = new[] { "modelscope", "hf-tokenizer-json" }.Select(m => BertTokenizer.Load(Path.Combine(TestPaths.Fixtures, "models", m))).ToArray();
        var mutator = new Mutator(Seed);
        var ids = new List<int>();
        Fuzz(200, _ =>
        {
            var text = mutator.Text();
            foreach (var tokenizer in tokenizers)
            {
                var tokens = tokenizer.Tokenize(text);
                ids.Clear();
                tokenizer.EncodeTo(text, ids);
                Assert.Equal(tokens.Count, ids.Count);
                Assert.All(ids, id => Assert.InRange(id, 0, tokenizer.VocabularySize - 1));
            }
            return true;
        });
    }

    [Fact]
    public void A_mutated_onnx_folder_loads_and_predicts_or_is_refused()
    {
        var source = Path.Combine(TestPaths.Fixtures, "models", "onnx-export");
        var model = File.ReadAllBytes(Path.Combine(source, "model.onnx"));
        var config = File.ReadAllText(Path.Combine(source, "config.json"));
        var mutator = new Mutator(Seed);
        var folder = Path.Combine(_dir, "onnx");
        Directory.CreateDirectory(folder);
        foreach (var file in Directory.GetFiles(source)) File.Copy(file, Path.Combine(folder, Path.GetFileName(file)));
        var (runs, refused) = Fuzz(6, run =>
        {
            File.WriteAllBytes(Path.Combine(folder, "model.onnx"), run % 3 == 2 ? model : mutator.Random.Next(4) == 0 ? RandomBytes(mutator.Random) : mutator.Bytes(model));
            File.WriteAllBytes(Path.Combine(folder, "config.json"), run % 3 == 2 ? mutator.Json(config) : System.Text.Encoding.UTF8.GetBytes(config));
            var load = Task.Run(() =>
            {
                using var engine = ModelLoader.Load(folder, new ModelLoadOptions { Threads = 1 });
                // What the service does before it says ready; a model that passes runs texts of any length.
                ModelRegistry.WarmUpAsync(engine, CancellationToken.None).GetAwaiter().GetResult();
                Assert.Equal(3, engine.Predict(["好", mutator.Text() + "好", new string('好', 500)]).Length);
            });
            try
            {
                Assert.True(load.Wait(TimeSpan.FromSeconds(30)), $"run {run}: the load or the prediction hung");
            }
            catch (AggregateException e) when (e.InnerException is not null)
            {
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(e.InnerException);
            }
            return true;
        });
        Assert.InRange(refused, 1, runs);
    }

    private static byte[] RandomBytes(Random random)
    {
        var bytes = new byte[random.Next(1, 4096)];
        random.NextBytes(bytes);
        return bytes;
    }
}
