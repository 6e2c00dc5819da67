using System.Text.Json;
using ZhSentiment.Checkpoints;

namespace ZhSentiment.Tests.Checkpoints;

/// <summary>The reference model folders read back exactly what PyTorch wrote (tools/reference-models).</summary>
public sealed class ReferenceCheckpointTests
{
    private static string Folder(string name) => Path.Combine(TestPaths.Fixtures, "models", name);

    private static (IReadOnlyDictionary<string, CheckpointTensor> Tensors, JsonElement Expected) Load(string folder)
    {
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(Folder(folder), "expected.json")));
        var expected = json.RootElement.Clone();
        return (CheckpointReader.Read(Path.Combine(Folder(folder), expected.GetProperty("weights").GetString()!)), expected);
    }

    [Theory]
    [InlineData("hf-bin")]
    [InlineData("hf-legacy")]
    [InlineData("hf-safetensors-f32")]
    [InlineData("hf-safetensors-f16")]
    [InlineData("hf-safetensors-bf16")]
    [InlineData("hf-nopfx")]
    [InlineData("hf-tokenizer-json")]
    [InlineData("modelscope")]
    [InlineData("modelscope-head")]
    public void Every_tensor_matches_what_pytorch_recorded(string folder)
    {
        var (tensors, expected) = Load(folder);
        var summaries = expected.GetProperty("tensors");
        Assert.Equal(summaries.EnumerateObject().Select(p => p.Name).Order(), tensors.Keys.Order());
        foreach (var property in summaries.EnumerateObject())
        {
            var tensor = tensors[property.Name];
            var summary = property.Value;
            Assert.Equal(summary.GetProperty("dtype").GetString(), SafetensorsName(tensor.DType));
            Assert.Equal(summary.GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()), tensor.Shape);
            var values = Values(tensor);
            Assert.Equal(summary.GetProperty("sum").GetDouble(), values.Sum(), 1e-9 * (1 + summary.GetProperty("abs_sum").GetDouble()));
            Assert.Equal(summary.GetProperty("abs_sum").GetDouble(), values.Sum(Math.Abs), 1e-9 * (1 + summary.GetProperty("abs_sum").GetDouble()));
            foreach (var pick in summary.GetProperty("values").EnumerateObject())
                Assert.Equal(pick.Value.GetDouble(), values[int.Parse(pick.Name)]);
        }
    }

    [Theory]
    [InlineData("hf-legacy")]
    [InlineData("hf-safetensors-f32")]
    [InlineData("hf-tokenizer-json")]
    [InlineData("hf-nopfx")]
    [InlineData("modelscope")]
    [InlineData("modelscope-head")]
    public void Formats_hold_byte_identical_weights(string folder)
    {
        var reference = Load("hf-bin").Tensors;
        var other = Load(folder).Tensors;
        foreach (var (name, tensor) in other)
        {
            // The fixtures rename keys the ways real checkpoints do: no "bert." prefix, "head.", gamma/beta.
            string canonical = name.Replace("LayerNorm.gamma", "LayerNorm.weight", StringComparison.Ordinal)
                .Replace("LayerNorm.beta", "LayerNorm.bias", StringComparison.Ordinal);
            canonical = canonical.StartsWith("head.", StringComparison.Ordinal) ? canonical["head.".Length..]
                : canonical.StartsWith("classifier.", StringComparison.Ordinal) || canonical.StartsWith("bert.", StringComparison.Ordinal) ? canonical
                : "bert." + canonical;
            var same = reference[canonical];
            Assert.Equal(same.DType, tensor.DType);
            Assert.Equal(same.Shape, tensor.Shape);
            Assert.True(same.Data.AsSpan().SequenceEqual(tensor.Data), name);
        }
    }

    [Fact]
    public void Half_precision_weights_widen_to_the_rounded_float32_values()
    {
        var f32 = Load("hf-safetensors-f32").Tensors;
        var f16 = Load("hf-safetensors-f16").Tensors;
        var bf16 = Load("hf-safetensors-bf16").Tensors;
        foreach (var (name, tensor) in f32)
        {
            var full = tensor.ToFloat32();
            var half = f16[name].ToFloat32();
            var brain = bf16[name].ToFloat32();
            Assert.Equal(TensorDType.Float16, f16[name].DType);
            Assert.Equal(TensorDType.BFloat16, bf16[name].DType);
            for (int i = 0; i < full.Length; i++)
            {
                Assert.Equal((float)(Half)full[i], half[i]);
                Assert.Equal(RoundToBFloat16(full[i]), brain[i]);
            }
        }
    }

    /// <summary>float32 to bfloat16 with round-to-nearest-even, as torch's .to(torch.bfloat16) does for finite values.</summary>
    private static float RoundToBFloat16(float value)
    {
        uint bits = BitConverter.SingleToUInt32Bits(value);
        bits += 0x7FFF + ((bits >> 16) & 1);
        return BitConverter.UInt32BitsToSingle(bits & 0xFFFF0000);
    }

    internal static string SafetensorsName(TensorDType dtype) => dtype switch
    {
        TensorDType.Float32 => "F32",
        TensorDType.Float16 => "F16",
        TensorDType.BFloat16 => "BF16",
        TensorDType.Float64 => "F64",
        TensorDType.Int64 => "I64",
        TensorDType.Int32 => "I32",
        TensorDType.Int16 => "I16",
        TensorDType.Int8 => "I8",
        TensorDType.UInt8 => "U8",
        _ => "BOOL",
    };

    /// <summary>Any tensor's elements as doubles (floats widened through <see cref="CheckpointTensor.ToFloat32"/>).</summary>
    internal static double[] Values(CheckpointTensor t) => t.DType switch
    {
        TensorDType.Float64 => System.Runtime.InteropServices.MemoryMarshal.Cast<byte, double>(t.Data).ToArray(),
        TensorDType.Float32 or TensorDType.Float16 or TensorDType.BFloat16 => t.ToFloat32().Select(v => (double)v).ToArray(),
        TensorDType.Int64 => System.Runtime.InteropServices.MemoryMarshal.Cast<byte, long>(t.Data).ToArray().Select(v => (double)v).ToArray(),
        TensorDType.Int32 => System.Runtime.InteropServices.MemoryMarshal.Cast<byte, int>(t.Data).ToArray().Select(v => (double)v).ToArray(),
        TensorDType.Int16 => System.Runtime.InteropServices.MemoryMarshal.Cast<byte, short>(t.Data).ToArray().Select(v => (double)v).ToArray(),
        TensorDType.Int8 => t.Data.Select(b => (double)(sbyte)b).ToArray(),
        _ => t.Data.Select(b => (double)b).ToArray(),
    };
}
