using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using ZhSentiment.Graph;

namespace ZhSentiment.Inference;

/// <summary>
/// Runs an ONNX sequence classifier on ONNX Runtime's CPU provider: the graphs <see cref="BertGraphBuilder"/>
/// builds, and external exports (<c>torch.onnx.export</c>: int64 inputs, <c>token_type_ids</c> optional). Inputs
/// are bound by name and element type; the output is <c>logits</c>, else the model's first output.
/// </summary>
public sealed unsafe class OnnxClassifier : IClassifierBackend
{
    private enum Role { InputIds, AttentionMask, TokenTypeIds }

    private readonly InferenceSession _session;
    private readonly int _arenaKeepTokens;

    private readonly RunOptions _runOptions = new();
    private readonly RunOptions _shrinkingRunOptions = ShrinkingRunOptions();
    private readonly string[] _inputNames;
    private readonly Role[] _roles;
    private readonly bool[] _int64;
    private readonly string[] _outputNames;
    private readonly OrtValue[] _inputValues;
    private readonly OrtValue[] _outputValues = new OrtValue[1];
    private readonly long[] _inputShape = new long[2];
    private readonly long[] _outputShape = new long[2];
    private long[][] _int64Buffers;

    private OnnxClassifier(InferenceSession session, string source, OnnxClassifierOptions options)
    {
        _session = session;
        _arenaKeepTokens = options.ArenaKeepTokens;
        try
        {
            var inputs = session.InputMetadata;
            _inputNames = [.. inputs.Keys];
            _roles = new Role[_inputNames.Length];
            _int64 = new bool[_inputNames.Length];
            for (int i = 0; i < _inputNames.Length; i++)
            {
                string name = _inputNames[i];
                var meta = inputs[name];
                _roles[i] = name switch
                {
                    "input_ids" => Role.InputIds,
                    "attention_mask" => Role.AttentionMask,
                    "token_type_ids" => Role.TokenTypeIds,
                    _ => throw new ModelFormatException(source, $"model input '{name}' cannot be bound (known inputs: input_ids, attention_mask, token_type_ids)"),
                };
                if (!meta.IsTensor || meta.Dimensions.Length != 2 || meta.ElementDataType is not (TensorElementType.Int32 or TensorElementType.Int64))
                    throw new ModelFormatException(source, $"model input '{name}' must be an int32 or int64 [batch, sequence] tensor, not {Describe(meta)}");
                _int64[i] = meta.ElementDataType == TensorElementType.Int64;
            }
            foreach (var required in new[] { "input_ids", "attention_mask" })
                if (!inputs.ContainsKey(required))
                    throw new ModelFormatException(source, $"model has no '{required}' input (inputs: {string.Join(", ", _inputNames)})");
            _inputValues = new OrtValue[_inputNames.Length];
            _int64Buffers = new long[_inputNames.Length][];
            Array.Fill(_int64Buffers, []);

            var outputs = session.OutputMetadata;
            string output = outputs.ContainsKey("logits") ? "logits" : outputs.Keys.First();
            var outMeta = outputs[output];
            if (!outMeta.IsTensor || outMeta.ElementDataType != TensorElementType.Float || outMeta.Dimensions.Length != 2 || outMeta.Dimensions[1] <= 0)
                throw new ModelFormatException(source, $"model output '{output}' must be a float [batch, labels] tensor with a fixed label count, not {Describe(outMeta)}");
            _outputNames = [output];
            LabelCount = outMeta.Dimensions[1];

            // Graphs built here record their build options; an int8 one says so (an external export is taken as float).
            string built = session.ModelMetadata.CustomMetadataMap.GetValueOrDefault(BertGraphBuilder.BuilderKey, "");
            var scheme = BertGraphOptions.WeightSchemeOf(built[(built.IndexOf('/') + 1)..]);
            if (scheme == Graph.Int8Weights.Int8 && !CpuInt8.FullRangeIsExact)
                throw new ModelFormatException(source, "holds full-range int8 weights, which this CPU's int8 kernels (no VNNI) multiply with 16-bit saturation and would answer wrongly; convert the checkpoint again on this machine (7-bit weights)");
            Quantization = built.Contains("int8", StringComparison.Ordinal) ? "int8" : "none";
            Int8Weights = scheme switch { Graph.Int8Weights.Int8 => "full-range", Graph.Int8Weights.Int7 => "7-bit", Graph.Int8Weights.UInt8 => "uint8", _ => null };

            MaxSequenceLength = options.MaxSequenceLength
                ?? (session.ModelMetadata.CustomMetadataMap.TryGetValue(BertGraphBuilder.MaxSequenceLengthKey, out var max)
                    && int.TryParse(max, NumberStyles.None, CultureInfo.InvariantCulture, out int parsed) && parsed > 0 ? parsed : 512);
        }
        catch
        {
            _runOptions.Dispose();
            _shrinkingRunOptions.Dispose();
            session.Dispose();
            throw;
        }
    }

    public int LabelCount { get; }

    public int MaxSequenceLength { get; }

    /// <summary><c>int8</c> for a graph this project built with quantization, else <c>none</c>.</summary>
    public string Quantization { get; }

    /// <summary>The int8 weight scheme recorded in a graph built here (<see cref="ModelInfo.Int8Weights"/>); null for float.</summary>
    public string? Int8Weights { get; }

    /// <summary>Opens an ONNX model file (its external weights, if any, beside it).</summary>
    public static OnnxClassifier Load(string path, OnnxClassifierOptions? options = null)
    {
        if (!File.Exists(path)) throw new ModelFormatException(path, "does not exist");
        options ??= new OnnxClassifierOptions();
        return new OnnxClassifier(CreateSession(path, so => new InferenceSession(path, so), options), path, options);
    }

    /// <summary>Opens an ONNX model held in memory (weights inline); <paramref name="source"/> names it in errors.</summary>
    public static OnnxClassifier Load(byte[] model, string source, OnnxClassifierOptions? options = null)
    {
        options ??= new OnnxClassifierOptions();
        return new OnnxClassifier(CreateSession(source, so => new InferenceSession(model, so), options), source, options);
    }

    /// <summary>Opens a model from <see cref="ModelCache"/>.</summary>
    public static OnnxClassifier Load(OnnxModelSource model, OnnxClassifierOptions? options = null) =>
        model.Path is { } path ? Load(path, options) : Load(model.Bytes!, model.Name, options);

    public void Run(EncodedBatch batch, Span<float> logits)
    {
        int rows = batch.Rows, length = batch.SequenceLength, n = batch.Length;
        if (length > MaxSequenceLength)
            throw new ArgumentException($"Rows of {length} tokens exceed the model's limit of {MaxSequenceLength}.", nameof(batch));
        if (logits.Length < rows * LabelCount)
            throw new ArgumentException($"{logits.Length} logits cannot hold {rows} rows of {LabelCount}.", nameof(logits));

        _inputShape[0] = rows;
        _inputShape[1] = length;
        _outputShape[0] = rows;
        _outputShape[1] = LabelCount;
        var memory = OrtMemoryInfo.DefaultInstance;
        fixed (int* ids = batch.InputIds, mask = batch.AttentionMask, types = batch.TokenTypeIds)
        fixed (float* output = logits)
        {
            try
            {
                for (int i = 0; i < _roles.Length; i++)
                {
                    int* source = _roles[i] switch { Role.InputIds => ids, Role.AttentionMask => mask, _ => types };
                    if (!_int64[i])
                    {
                        _inputValues[i] = OrtValue.CreateTensorValueWithData(memory, TensorElementType.Int32, _inputShape, (IntPtr)source, n * sizeof(int));
                        continue;
                    }
                    if (_int64Buffers[i].Length < n) _int64Buffers[i] = GC.AllocateUninitializedArray<long>(n, pinned: true);
                    var wide = _int64Buffers[i];
                    for (int j = 0; j < n; j++) wide[j] = source[j];
                    // The buffer lives on the pinned object heap, so its address is stable.
                    var address = (IntPtr)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(wide));
                    _inputValues[i] = OrtValue.CreateTensorValueWithData(memory, TensorElementType.Int64, _inputShape, address, n * sizeof(long));
                }
                _outputValues[0] = OrtValue.CreateTensorValueWithData(memory, TensorElementType.Float, _outputShape, (IntPtr)output, rows * LabelCount * sizeof(float));
                _session.Run(n > _arenaKeepTokens ? _shrinkingRunOptions : _runOptions, _inputNames, _inputValues, _outputNames, _outputValues);
            }
            finally
            {
                for (int i = 0; i < _inputValues.Length; i++)
                {
                    _inputValues[i]?.Dispose();
                    _inputValues[i] = null!;
                }
                _outputValues[0]?.Dispose();
                _outputValues[0] = null!;
            }
        }
    }

    public void Dispose()
    {
        _runOptions.Dispose();
        _shrinkingRunOptions.Dispose();
        _session.Dispose();
    }

    private static RunOptions ShrinkingRunOptions()
    {
        var options = new RunOptions();
        options.AddRunConfigEntry("memory.enable_memory_arena_shrinkage", "cpu:0");
        return options;
    }

    private static InferenceSession CreateSession(string source, Func<SessionOptions, InferenceSession> create, OnnxClassifierOptions options)
    {
        GlibcMalloc.UnmapLargeBlocks();
        using var so = new SessionOptions
        {
            IntraOpNumThreads = options.IntraOpThreads,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            GraphOptimizationLevel = options.FusedByBuilder ? GraphOptimizationLevel.ORT_ENABLE_BASIC : GraphOptimizationLevel.ORT_ENABLE_ALL,
            // A memory pattern is one block for all of a run's activations, planned and kept per input shape; batches
            // here come in ever new shapes, so it only raised the peak (int8 BERT-base: 12 MB, bench/PROFILE.md).
            EnableMemoryPattern = false,
            // ONNX Runtime's own stderr lines would duplicate the one-line ModelFormatException a bad model gets.
            LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_FATAL,
        };
        options.ConfigureSession?.Invoke(so);
        try
        {
            return create(so);
        }
        catch (OnnxRuntimeException e)
        {
            throw new ModelFormatException(source, $"ONNX Runtime cannot load the model: {OneLine(e.Message)}", e);
        }
    }

    private static string Describe(NodeMetadata meta) =>
        meta.IsTensor ? $"{meta.ElementDataType} [{string.Join(",", meta.Dimensions.Select((d, i) => d >= 0 ? d.ToString(CultureInfo.InvariantCulture) : meta.SymbolicDimensions[i] is { Length: > 0 } s ? s : "?"))}]" : meta.OnnxValueType.ToString();

    private static string OneLine(string text) => text.ReplaceLineEndings(" ").Trim();
}
