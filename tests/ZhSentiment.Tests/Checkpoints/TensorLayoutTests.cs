using System.Runtime.InteropServices;
using System.Text.Json;
using ZhSentiment.Checkpoints;

namespace ZhSentiment.Tests.Checkpoints;

/// <summary>Views into shared storages, every dtype and nested state dicts, as PyTorch wrote them.</summary>
public sealed class TensorLayoutTests
{
    private static string Case(string file) => Path.Combine(TestPaths.Fixtures, "models", "checkpoints", file);

    [Theory]
    [InlineData("views.bin")]
    [InlineData("views-legacy.bin")]
    [InlineData("views-protocol4.bin")]
    [InlineData("views.safetensors")]
    public void Views_and_dtypes_are_materialised_in_row_major_order(string file)
    {
        var tensors = CheckpointReader.Read(Case(file));
        using var json = JsonDocument.Parse(File.ReadAllText(Case("views.json")));
        int compared = 0;
        foreach (var expected in json.RootElement.EnumerateObject())
        {
            if (file.EndsWith(".safetensors", StringComparison.Ordinal) && expected.Name.StartsWith("tied", StringComparison.Ordinal)) continue;
            AssertTensor(expected.Value, tensors[expected.Name]);
            compared++;
        }
        Assert.Equal(compared, tensors.Count);
    }

    [Theory]
    [InlineData("views.bin")]
    [InlineData("views-legacy.bin")]
    public void A_tensor_saved_under_two_names_is_read_once(string file)
    {
        var tensors = CheckpointReader.Read(Case(file));
        Assert.Same(tensors["tied_a"].Data, tensors["tied_b"].Data);
    }

    [Theory]
    [InlineData("nested-state-dict.bin")]
    [InlineData("nested-model.bin")]
    public void A_state_dict_nested_in_a_training_checkpoint_is_found(string file)
    {
        var tensors = CheckpointReader.Read(Case(file));
        using var json = JsonDocument.Parse(File.ReadAllText(Case("nested.json")));
        Assert.Equal(json.RootElement.EnumerateObject().Select(p => p.Name), tensors.Keys);
        foreach (var expected in json.RootElement.EnumerateObject()) AssertTensor(expected.Value, tensors[expected.Name]);
    }

    private static void AssertTensor(JsonElement expected, CheckpointTensor tensor)
    {
        Assert.Equal(expected.GetProperty("dtype").GetString(), ReferenceCheckpointTests.SafetensorsName(tensor.DType));
        Assert.Equal(expected.GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()), tensor.Shape);
        var values = expected.GetProperty("values").EnumerateArray().ToArray();
        if (tensor.DType == TensorDType.Int64)
            Assert.Equal(values.Select(v => v.GetInt64()), MemoryMarshal.Cast<byte, long>(tensor.Data).ToArray());
        else
            Assert.Equal(values.Select(v => v.GetDouble()), ReferenceCheckpointTests.Values(tensor));
    }
}
