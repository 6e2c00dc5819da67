// GraphBench: the figures of the BERT graph at BERT-base shape (12 layers, hidden 768, 12 heads, intermediate
// 3072, vocab 21128) on random weights generated here, never saved outside the output folder.
//
//   dotnet run -c Release --project tools/GraphBench -- all [--out DIR]
//       builds fp32 / int8 (uint8 weights) / int8 (7-bit signed weights) / int8 (full-range signed) models into DIR, then measures each in a
//       fresh process, then int8-vs-fp32 agreement and the machine's fp32 MatMul peak.
//   ... -- build [--out DIR]                    build and save the three models, timing each step
//   ... -- run MODEL [--opt all|extended|basic|disable] [--arena on|off] [--pattern on|off] [--spin on|off] [--threads N]
//                    [--config KEY=VALUE]...   (ORT session config entries)
//       session creation, RSS after load, p50 latency of one 47-token row, throughput of 8×47 batches, RSS after
//       the service's largest batch (20×400 tokens) and after 30 single rows following it
//   ... -- ab MODEL --b [run flags]           interleaved latency A/B of the defaults against other session flags
//   ... -- abm MODEL_A MODEL_B [run flags]     interleaved latency A/B of two models, one session each, same flags
//   ... -- profile MODEL [--rows R] [--length L] [--runs N] [run flags]
//       ORT's profiler over N runs of an R×L batch: kernel time per operator type (sum of its nodes' median
//       times), share of the total
//   ... -- agree DIR [--rows N]                 argmax agreement and logit error of the int8 models against fp32
//   ... -- matmul [--threads N]                 GFLOP/s of ORT's fp32 MatMul and int8 DynamicQuantizeMatMul, [2048,768]×[768,3072]
//   ... -- nbits [--threads N]                  the encoder's products at one and eight reviews' rows: fp32 MatMul, DynamicQuantizeMatMul
//       and weight-only MatMulNBits (8 bits in blocks of 32/64/128, 4 bits in 32, int8 compute: accuracy_level 4), p50 and error
//
// Memory and start-up of the real service: tools/GraphBench/serve-memory.sh MODEL_DIR CACHE_DIR [serve flags].
// Figures on the 2-core machine (BERT-base-shaped random checkpoint, 391 MB; a busy machine, so CPU seconds too):
//   zhsenti serve fp32, cached start:   before 469 MB, 2.2 s CPU (SHA-256 of the checkpoint every start)
//                                        after  456 MB, 1.3 s CPU, 1.0-1.6 s to first prediction (stamped key)
//   fp32 after 64 concurrent 400-char requests, idle: before ~1,040 MB (arena kept the largest batch), after 475 MB
//   int8 cached start 214 MB, 231 MB after the burst; first start (conversion) fp32 steady 1,345 -> 476 MB
//   run on the cached fp32 model, RSS after a 20x400 batch: arena 1,264 MB, no arena 561 MB, arena + shrink 455 MB
//   ab, paired B/A of median latency, A = no arena, B = arena: 1x47 0.92-0.97, 8x47 0.85-0.86, 4x400 0.84-0.97
using System.Diagnostics;
using System.Globalization;
using Microsoft.ML.OnnxRuntime;
using ZhSentiment.Graph;
using ZhSentiment.Graph.Onnx;
using ZhSentiment.Inference;
using ZhSentiment.Tests.Graph;

CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;

string verb = args.Length > 0 ? args[0] : "all";
string Option(string name, string fallback)
{
    int i = Array.IndexOf(args, "--" + name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
}
string outDir = Path.GetFullPath(Option("out", Path.Combine(Path.GetTempPath(), "zhsenti-graphbench")));
(string Name, BertGraphOptions Options)[] variants =
[
    ("fp32", BertGraphOptions.Float32),
    ("int8-uint8", BertGraphOptions.Int8 with { WeightScheme = Int8Weights.UInt8 }),
    ("int8-int7", BertGraphOptions.Int8 with { WeightScheme = Int8Weights.Int7 }),
    ("int8-int8", BertGraphOptions.Int8 with { WeightScheme = Int8Weights.Int8 }),
];
string ModelPath(string name) => Path.Combine(outDir, name, ModelCache.ModelFileName);

switch (verb)
{
    case "build": Build(); break;
    case "run": Run(args[1]); break;
    case "ab": AB(args[1]); break;
    case "abm": ABModels(args[1], args[2]); break;
    case "profile": Profile(args[1]); break;
    case "norm": Norm(); break;
    case "agree": Agree(int.Parse(Option("rows", "300"))); break;
    case "matmul": MatMulPeak(int.Parse(Option("threads", "0"))); break;
    case "nbits": NBits(int.Parse(Option("threads", "0"))); break;
    case "all":
        Build();
        foreach (var (name, _) in variants) Child("run", ModelPath(name));
        Child("agree", "--out", outDir);
        Child("matmul");
        break;
    default:
        Console.Error.WriteLine($"unknown verb '{verb}' (all, build, run, agree, matmul)");
        return 2;
}
return 0;

BertConfig BaseConfig() => RandomBert.Config(768, 12, 3072, 12, vocab: 21128, maxPositions: 512, labels: 2);

void Build()
{
    var config = BaseConfig();
    var sw = Stopwatch.StartNew();
    var weights = RandomBert.Weights(config, seed: 1, attentionGain: 1);
    Console.WriteLine($"random BERT-base weights: {weights.Values.Sum(t => t.ElementCount) / 1e6:F1} M parameters in {sw.Elapsed.TotalSeconds:F1} s");
    foreach (var (name, options) in variants)
    {
        sw.Restart();
        var graph = BertGraphBuilder.Build(config, weights, options);
        double build = sw.Elapsed.TotalSeconds;
        sw.Restart();
        Directory.CreateDirectory(Path.GetDirectoryName(ModelPath(name))!);
        OnnxModelWriter.Save(graph, ModelPath(name), BertGraphBuilder.Metadata(config, options), externalDataThreshold: 4096);
        double save = sw.Elapsed.TotalSeconds;
        long bytes = new FileInfo(ModelPath(name)).Length + new FileInfo(ModelPath(name) + ".data").Length;
        Console.WriteLine($"{name,-11} build {build:F2} s, save {save:F2} s, {bytes / 1e6:F0} MB on disk");
    }
    File.WriteAllText(Path.Combine(outDir, "fp32", BertConfig.FileName), "{}");
    sw.Restart();
    ModelCache.Key(Path.GetDirectoryName(ModelPath("fp32"))!, [ModelPath("fp32") + ".data"], BertGraphOptions.Float32);
    Console.WriteLine($"cache key (SHA-256) over a {new FileInfo(ModelPath("fp32") + ".data").Length / 1e6:F0} MB weight file: {sw.Elapsed.TotalSeconds:F2} s");
}

OnnxClassifierOptions SessionOptionsFrom(string[] flags, out string described)
{
    string Flag(string name, string fallback)
    {
        int i = Array.IndexOf(flags, "--" + name);
        return i >= 0 && i + 1 < flags.Length ? flags[i + 1] : fallback;
    }
    var configEntries = flags.Select((a, i) => (a, i)).Where(p => p.a == "--config" && p.i + 1 < flags.Length)
        .Select(p => flags[p.i + 1].Split('=', 2)).Select(kv => (Key: kv[0], Value: kv[1])).ToList();
    string opt = Flag("opt", "default"), arena = Flag("arena", "default"), pattern = Flag("pattern", "default"), spin = Flag("spin", "default");
    described = $"opt={opt} arena={arena} pattern={pattern} spin={spin}" + string.Concat(configEntries.Select(e => $" {e.Key}={e.Value}"));
    return new OnnxClassifierOptions
    {
        IntraOpThreads = int.Parse(Flag("threads", "0")),
        FusedByBuilder = true, // every model here is the builder's, as the service's cache holds

        ConfigureSession = so =>
        {
            if (opt != "default")
                so.GraphOptimizationLevel = opt switch
                {
                    "disable" => GraphOptimizationLevel.ORT_DISABLE_ALL,
                    "basic" => GraphOptimizationLevel.ORT_ENABLE_BASIC,
                    "extended" => GraphOptimizationLevel.ORT_ENABLE_EXTENDED,
                    _ => GraphOptimizationLevel.ORT_ENABLE_ALL,
                };
            if (arena != "default") so.EnableCpuMemArena = arena == "on";
            if (pattern != "default") so.EnableMemoryPattern = pattern == "on";
            if (spin != "default") so.AddSessionConfigEntry("session.intra_op.allow_spinning", spin == "on" ? "1" : "0");
            foreach (var (key, value) in configEntries) so.AddSessionConfigEntry(key, value);
        },
    };
}

void Run(string model)
{
    var options = SessionOptionsFrom(args, out string described);
    var before = Memory.Read();
    var sw = Stopwatch.StartNew();
    using var classifier = OnnxClassifier.Load(model, options);
    double create = sw.Elapsed.TotalMilliseconds;
    var loaded = Memory.Read();

    var random = new Random(2);
    var single = Batch(random, 1, 47);
    var eight = Batch(random, 8, 47);
    var logits = new float[8 * classifier.LabelCount];
    for (int i = 0; i < 5; i++) classifier.Run(single, logits);
    var latency = Times(30, () => classifier.Run(single, logits));
    for (int i = 0; i < 2; i++) classifier.Run(eight, logits);
    var batch = Times(10, () => classifier.Run(eight, logits));
    var after = Memory.Read();
    // The largest batch the service forms from 400-character texts: 8192 tokens as 20 rows of 400.
    var largest = Batch(random, 20, 400);
    var largestLogits = new float[20 * classifier.LabelCount];
    var large = Times(2, () => classifier.Run(largest, largestLogits));
    var afterLarge = Memory.Read();
    var latencyAfter = Times(30, () => classifier.Run(single, logits));
    var settled = Memory.Read();

    Console.WriteLine($"{Path.GetFileName(Path.GetDirectoryName(model))} [{described}]: " +
        $"session {create:F0} ms; RSS {before.Rss} -> {loaded.Rss} MB after load ({loaded.Anon} anon + {loaded.File} file), {after.Rss} MB after runs ({after.Anon} anon + {after.File} file, peak {after.Peak}); " +
        $"1x47 p50 {Median(latency):F1} ms (min {latency.Min():F1}); 8x47 p50 {Median(batch):F1} ms = {8000 / Median(batch):F1} rows/s; " +
        $"20x400 {large.Min():F0} ms, RSS {afterLarge.Rss} MB after it (peak {afterLarge.Peak}), {settled.Rss} MB after 30 more 1x47 runs (p50 {Median(latencyAfter):F1} ms)");
}

// Two sessions of one model in one process, A with the defaults and B with the flags after "--b", their runs
// interleaved so that whatever else the machine does slows both alike.
void AB(string model)
{
    int split = Array.IndexOf(args, "--b");
    var optionsB = SessionOptionsFrom(split >= 0 ? args[(split + 1)..] : [], out string described);
    using var a = OnnxClassifier.Load(model);
    using var b = OnnxClassifier.Load(model, optionsB);
    Interleaved(a, b, [(1, 47, 40), (8, 47, 12), (4, 400, 3)], "A (defaults)", $"B ({described})");
}

// Two models in one process, their runs interleaved: the same comparison as AB, for graphs built differently.
void ABModels(string modelA, string modelB)
{
    var options = SessionOptionsFrom(args, out string described);
    using var a = OnnxClassifier.Load(modelA, options);
    using var b = OnnxClassifier.Load(modelB, options);
    string Name(string model) => Path.GetFileName(Path.GetDirectoryName(Path.GetFullPath(model)))!;
    Console.WriteLine($"A {Name(modelA)}, B {Name(modelB)} [{described}]");
    Interleaved(a, b, [(1, 56, 40), (4, 70, 16), (8, 64, 10), (1, 362, 4)], "A", "B");
}

// Runs of a and b alternated on each shape (rows, tokens, runs): each one's p50 and range, and the median of paired B/A.
void Interleaved(OnnxClassifier a, OnnxClassifier b, (int Rows, int Length, int Runs)[] shapes, string nameA, string nameB)
{
    var random = new Random(2);
    var logits = new float[20 * a.LabelCount];
    foreach (var (rows, length, runs) in shapes)
    {
        var batch = Batch(random, rows, length);
        a.Run(batch, logits);
        b.Run(batch, logits);
        var ta = new double[runs];
        var tb = new double[runs];
        for (int i = 0; i < runs; i++)
        {
            ta[i] = Times(1, () => a.Run(batch, logits))[0];
            tb[i] = Times(1, () => b.Run(batch, logits))[0];
        }
        double ratio = Median(tb.Zip(ta, (x, y) => x / y).ToArray());
        Console.WriteLine($"{rows}x{length}: {nameA} p50 {Median(ta):F1} ms [{ta.Min():F1}..{ta.Max():F1}], {nameB} p50 {Median(tb):F1} ms [{tb.Min():F1}..{tb.Max():F1}]; median of paired B/A {ratio:F3}");
    }
}

// ORT's own profiler: kernel time per operator type (the *_kernel_time events), warm-up runs left out.
void Profile(string model)
{
    int rows = int.Parse(Option("rows", "1")), length = int.Parse(Option("length", "56")), runs = int.Parse(Option("runs", "40"));
    var options = SessionOptionsFrom(args, out string described);
    string prefix = Path.Combine(outDir, $"profile-{Path.GetFileName(Path.GetDirectoryName(Path.GetFullPath(model)))}-{rows}x{length}");
    Directory.CreateDirectory(outDir);
    var configure = options.ConfigureSession;
    var random = new Random(2);
    var batch = Batch(random, rows, length);
    var logits = new float[rows * 2];
    using (var warm = OnnxClassifier.Load(model, options)) warm.Run(batch, logits);
    double wall;
    using (var classifier = OnnxClassifier.Load(model, options with
    {
        ConfigureSession = so =>
        {
            configure?.Invoke(so);
            so.ProfileOutputPathPrefix = prefix; // read when profiling is switched on, so set first
            so.EnableProfiling = true;
        },
    }))
    {
        for (int i = 0; i < 3; i++) classifier.Run(batch, logits);
        wall = Times(runs, () => classifier.Run(batch, logits)).Sum();
    } // the session writes its profile when it is disposed
    string file = Directory.GetFiles(outDir, Path.GetFileName(prefix) + "*.json").OrderBy(File.GetLastWriteTimeUtc).Last();
    using var json = System.Text.Json.JsonDocument.Parse(File.ReadAllText(file));
    var kernels = json.RootElement.EnumerateArray()
        .Where(e => e.GetProperty("cat").GetString() == "Node" && e.GetProperty("name").GetString()!.EndsWith("_kernel_time", StringComparison.Ordinal))
        .Select(e => (Op: e.GetProperty("args").GetProperty("op_name").GetString()!, Node: e.GetProperty("name").GetString()!, Us: e.GetProperty("dur").GetDouble()))
        .ToList();
    // Per node the median of its timed runs (the first 3 are warm-up), so a run the machine's other work preempted
    // does not count; per operator type the sum over its nodes.
    var nodes = kernels.GroupBy(k => k.Node).Select(g => (g.First().Op, Us: Median(g.Skip(3).Select(k => k.Us).ToArray()))).ToList();
    double total = nodes.Sum(n => n.Us);
    Console.WriteLine($"{Path.GetFileName(file)} [{described}] {rows}x{length}, {runs} runs: wall {wall / runs:F2} ms/run (mean), kernels {total / 1000:F2} ms/run (sum of node medians)");
    foreach (var op in nodes.GroupBy(n => n.Op).OrderByDescending(g => g.Sum(n => n.Us)))
        Console.WriteLine($"  {op.Key,-28} {op.Sum(n => n.Us) / 1000,8:F3} ms {100 * op.Sum(n => n.Us) / total,6:F1} %  ({op.Count()} nodes)");
}

// BERT-base's 25 residual LayerNorms on one 56-token row, as ORT runs them: SkipLayerNormalization (the builder's
// graph), and Add + Add + LayerNormalization (opset 17) left unfused (ORT_ENABLE_BASIC), interleaved.
void Norm()
{
    const int rows = 56, h = 768, nodes = 25;
    var random = new Random(5);
    float[] Vector(int n, float scale) => Enumerable.Range(0, n).Select(_ => (float)(random.NextDouble() * 2 - 1) * scale).ToArray();
    byte[] Graph(bool fused)
    {
        var g = new OnnxGraph("norm");
        g.AddInput("x", OnnxDataType.Float, (long)rows, (long)h);
        g.AddInitializer("skip", Vector(rows * h, 1), rows, h);
        string x = "x";
        for (int i = 0; i < nodes; i++)
        {
            string gamma = g.AddInitializer($"gamma{i}", Vector(h, 1), h), beta = g.AddInitializer($"beta{i}", Vector(h, 0.1f), h), bias = g.AddInitializer($"bias{i}", Vector(h, 0.1f), h);
            x = fused
                ? g.AddNode("SkipLayerNormalization", [x, "skip", gamma, beta, bias], [$"y{i}"], "com.microsoft", OnnxAttribute.Float("epsilon", 1e-12f))
                : g.AddNode("LayerNormalization", [g.AddNode("Add", [g.AddNode("Add", [x, "skip"], [$"s{i}"]), bias], [$"b{i}"]), gamma, beta], [$"y{i}"], "",
                    OnnxAttribute.Float("epsilon", 1e-12f), OnnxAttribute.Int("axis", -1));
        }
        g.AddOutput(x, OnnxDataType.Float, (long)rows, (long)h);
        return OnnxModelWriter.ToBytes(g);
    }
    InferenceSession Session(bool fused)
    {
        using var so = new SessionOptions { IntraOpNumThreads = 1, GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_BASIC };
        return new InferenceSession(Graph(fused), so);
    }
    using var skip = Session(true);
    using var plain = Session(false);
    var input = Vector(rows * h, 1);
    var output = new float[rows * h];
    using var x = OrtValue.CreateTensorValueFromMemory(input, [rows, h]);
    using var y = OrtValue.CreateTensorValueFromMemory(output, [rows, h]);
    using var runOptions = new RunOptions();
    string outName(InferenceSession s) => s.OutputMetadata.Keys.First();
    var ta = new double[60];
    var tb = new double[60];
    for (int i = 0; i < 62; i++)
    {
        double a = Times(1, () => skip.Run(runOptions, ["x"], [x], [outName(skip)], [y]))[0];
        double b = Times(1, () => plain.Run(runOptions, ["x"], [x], [outName(plain)], [y]))[0];
        if (i >= 2) (ta[i - 2], tb[i - 2]) = (a, b);
    }
    Console.WriteLine($"{nodes} residual LayerNorms of {rows}x{h}, 1 thread: SkipLayerNormalization p50 {Median(ta):F3} ms ({Median(ta) * 1e6 / (nodes * rows * h):F2} ns/element); " +
        $"Add+Add+LayerNormalization p50 {Median(tb):F3} ms ({Median(tb) * 1e6 / (nodes * rows * h):F2} ns/element); median of paired B/A {Median(tb.Zip(ta, (p, q) => p / q).ToArray()):F3}");
}

void Agree(int rows)
{
    var config = BaseConfig();
    using var fp32 = OnnxClassifier.Load(ModelPath("fp32"));
    var random = new Random(3);
    var inputs = Enumerable.Range(0, rows).Select(_ => RandomBert.Tokens(random, random.Next(8, 64), config.VocabSize)).ToArray();
    var expected = inputs.Select(r => RunOne(fp32, r)).ToArray();
    foreach (var (name, _) in variants.Skip(1))
    {
        using var int8 = OnnxClassifier.Load(ModelPath(name));
        int agree = 0;
        double error = 0, margin = 0;
        for (int i = 0; i < rows; i++)
        {
            var actual = RunOne(int8, inputs[i]);
            if ((expected[i][0] > expected[i][1]) == (actual[0] > actual[1])) agree++;
            error += Math.Abs((expected[i][0] - expected[i][1]) - (actual[0] - actual[1]));
            margin += Math.Abs(expected[i][0] - expected[i][1]);
        }
        Console.WriteLine($"{name,-11} argmax agrees with fp32 on {agree}/{rows} rows ({100.0 * agree / rows:F1}%); mean |Δ margin| {error / rows:F4} vs mean |margin| {margin / rows:F4}");
    }
}

// The machine's matrix-product peaks as ORT reaches them: fp32 MatMul and int8 DynamicQuantizeMatMul (u8 activations
// quantized per run, s8 weights) of [2048,768]x[768,3072], the largest of BERT-base's products at a full batch.
void MatMulPeak(int threads)
{
    const int m = 2048, k = 768, n = 3072;
    var random = new Random(4);
    foreach (bool int8 in new[] { false, true })
    {
        var weights = RandomMatrix(random, k * n);
        var a = RandomMatrix(random, m * k);
        var (times, _) = TimeProduct(Product(weights, m, k, n, int8 ? -1 : 0, 0), a, m, k, n, threads, 10);
        Console.WriteLine($"{(int8 ? "int8 DynamicQuantizeMatMul" : "fp32 MatMul"),-27} [{m},{k}]x[{k},{n}] on {(threads == 0 ? "default" : threads.ToString())} threads: p50 {Median(times):F1} ms = {2.0 * m * k * n / Median(times) / 1e6:F0} G(FL)OP/s (best {2.0 * m * k * n / times.Min() / 1e6:F0})");
    }
}

// The encoder's products at one review's rows (56) and eight's (448): fp32 MatMul, DynamicQuantizeMatMul and
// weight-only MatMulNBits, each timed and compared with a double-precision product.
void NBits(int threads)
{
    var random = new Random(4);
    foreach (var (m, k, n) in new[] { (56, 768, 3072), (56, 3072, 768), (56, 768, 2304), (448, 768, 3072), (448, 3072, 768) })
    {
        var weights = RandomMatrix(random, k * n);
        var a = RandomMatrix(random, m * k);
        var reference = new double[m * n];
        for (int i = 0; i < m; i++)
            for (int kk = 0; kk < k; kk++)
                for (int j = 0; j < n; j++) reference[i * n + j] += (double)a[i * k + kk] * weights[kk * n + j];
        foreach (var (label, bits, block) in new[] { ("fp32", 0, 0), ("DQMatMul", -1, 0), ("NBits8 b32", 8, 32), ("NBits8 b64", 8, 64), ("NBits8 b128", 8, 128), ("NBits4 b32", 4, 32) })
        {
            var (times, y) = TimeProduct(Product(weights, m, k, n, bits, block), a, m, k, n, threads, 40);
            double err = 0, norm = 0;
            for (int i = 0; i < y.Length; i++) { err += (y[i] - reference[i]) * (y[i] - reference[i]); norm += reference[i] * reference[i]; }
            Console.WriteLine($"[{m},{k}]x[{k},{n}] {label,-12} p50 {Median(times):F3} ms  {2.0 * m * k * n / Median(times) / 1e6:F0} GOP/s  rel.err {Math.Sqrt(err / norm):E2}");
        }
    }
}

static float[] RandomMatrix(Random random, int count) => Enumerable.Range(0, count).Select(_ => (float)random.NextDouble() - 0.5f).ToArray();

// y = a · weights as one node: bits 0 fp32 MatMul, -1 DynamicQuantizeMatMul (the service's int8 weights), 4 or 8
// MatMulNBits with int8 compute (accuracy_level 4). MatMulNBits stores B as [N, K / block, block · bits / 8] bytes,
// unsigned, one scale per block, zero point 2^(bits-1) when none is given; here symmetric per block.
static OnnxGraph Product(float[] weights, int m, int k, int n, int bits, int block)
{
    var g = new OnnxGraph("product");
    g.AddInput("a", OnnxDataType.Float, (long)m, (long)k);
    if (bits == 0)
    {
        g.AddInitializer("b", weights, k, n);
        g.AddNode("MatMul", ["a", "b"], ["y"]);
    }
    else if (bits < 0)
    {
        var q = WeightQuantizer.Quantize(weights, k, n, CpuInt8.WeightScheme);
        g.AddInitializer("b", OnnxDataType.Int8, [k, n], q.Data);
        g.AddInitializer("scale", q.Scales, n);
        g.AddInitializer("zero_point", OnnxDataType.Int8, [n], q.ZeroPoints);
        g.AddNode("DynamicQuantizeMatMul", ["a", "b", "scale", "zero_point"], ["y"], "com.microsoft");
    }
    else
    {
        int blocks = k / block, blob = block * bits / 8, levels = 1 << bits, mid = levels / 2;
        var packed = new byte[n * blocks * blob];
        var scales = new float[n * blocks];
        for (int j = 0; j < n; j++)
            for (int b = 0; b < blocks; b++)
            {
                float max = 0;
                for (int t = 0; t < block; t++) max = Math.Max(max, Math.Abs(weights[(b * block + t) * n + j]));
                float scale = max / (mid - 1) + 1e-12f;
                scales[j * blocks + b] = scale;
                for (int t = 0; t < block; t++)
                {
                    int q = Math.Clamp((int)MathF.Round(weights[(b * block + t) * n + j] / scale) + mid, 0, levels - 1);
                    int at = (j * blocks + b) * blob;
                    if (bits == 8) packed[at + t] = (byte)q;
                    else packed[at + t / 2] |= (byte)(t % 2 == 0 ? q : q << 4);
                }
            }
        g.AddInitializer("b", OnnxDataType.UInt8, [n, blocks, blob], packed);
        g.AddInitializer("scale", scales, n * blocks);
        g.AddNode("MatMulNBits", ["a", "b", "scale"], ["y"], "com.microsoft", OnnxAttribute.Int("K", k), OnnxAttribute.Int("N", n),
            OnnxAttribute.Int("bits", bits), OnnxAttribute.Int("block_size", block), OnnxAttribute.Int("accuracy_level", 4));
    }
    g.AddOutput("y", OnnxDataType.Float, (long)m, (long)n);
    return g;
}

// Runs the product once to warm up, then `runs` times; the times in ms and the last output.
static (double[] Times, float[] Y) TimeProduct(OnnxGraph g, float[] a, int m, int k, int n, int threads, int runs)
{
    using var so = new SessionOptions { IntraOpNumThreads = threads };
    using var session = new InferenceSession(OnnxModelWriter.ToBytes(g), so);
    var y = new float[m * n];
    using var input = OrtValue.CreateTensorValueFromMemory(a, [m, k]);
    using var output = OrtValue.CreateTensorValueFromMemory(y, [m, n]);
    using var runOptions = new RunOptions();
    void Once() => session.Run(runOptions, ["a"], [input], ["y"], [output]);
    Once();
    return (Times(runs, Once), y);
}

float[] RunOne(OnnxClassifier model, int[] row)
{
    var batch = new EncodedBatch();
    batch.Reset(1, row.Length);
    batch.SetRow(0, row);
    var logits = new float[model.LabelCount];
    model.Run(batch, logits);
    return logits;
}

static EncodedBatch Batch(Random random, int rows, int length)
{
    var batch = new EncodedBatch();
    batch.Reset(rows, length);
    for (int r = 0; r < rows; r++) batch.SetRow(r, RandomBert.Tokens(random, length, 21128));
    return batch;
}

static double[] Times(int runs, Action action)
{
    var times = new double[runs];
    for (int i = 0; i < runs; i++)
    {
        long start = Stopwatch.GetTimestamp();
        action();
        times[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
    }
    return times;
}

static double Median(double[] values)
{
    var sorted = values.Order().ToArray();
    return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
}

void Child(params string[] childArgs)
{
    var start = new ProcessStartInfo(Environment.ProcessPath!) { UseShellExecute = false };
    foreach (var a in childArgs) start.ArgumentList.Add(a);
    if (!childArgs.Contains("--out")) { start.ArgumentList.Add("--out"); start.ArgumentList.Add(outDir); }
    using var process = Process.Start(start)!;
    process.WaitForExit();
}

/// <summary>Resident memory from /proc/self/status, in MB.</summary>
internal readonly record struct Memory(long Rss, long Peak, long Anon, long File)
{
    public static Memory Read()
    {
        var fields = System.IO.File.ReadAllLines("/proc/self/status")
            .Select(l => l.Split(':', 2)).Where(p => p.Length == 2)
            .ToDictionary(p => p[0], p => p[1].Trim());
        long Mb(string key) => fields.TryGetValue(key, out var v) ? long.Parse(v.Split(' ')[0]) / 1024 : -1;
        return new Memory(Mb("VmRSS"), Mb("VmHWM"), Mb("RssAnon"), Mb("RssFile"));
    }
}
