using System.Text.Json;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace ZhSentiment.Tests.Checkpoints;

/// <summary>
/// The onnx-export fixture, run on ONNX Runtime as a user's export would be, gives the logits PyTorch recorded:
/// the reference logits and the exported graph agree, alone and in a padded batch.
/// </summary>
public sealed class OnnxExportFixtureTests
{
    private static readonly string Folder = Path.Combine(TestPaths.Fixtures, "models", "onnx-export");

    [Fact]
    public void Exported_model_reproduces_the_reference_logits_alone_and_padded()
    {
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(Folder, "expected.json")));
        var texts = json.RootElement.GetProperty("texts").EnumerateArray().ToArray();
        var ids = texts.Select(t => t.GetProperty("ids").EnumerateArray().Select(i => i.GetInt64()).ToArray()).ToArray();
        using var session = new InferenceSession(Path.Combine(Folder, "model.onnx"));

        var batch = Run(session, ids, json.RootElement.GetProperty("batch_padded_length").GetInt32());
        for (int i = 0; i < texts.Length; i++)
        {
            var alone = Run(session, [ids[i]], ids[i].Length)[0];
            var expectedAlone = texts[i].GetProperty("logits").EnumerateArray().Select(v => v.GetSingle()).ToArray();
            var expectedBatch = texts[i].GetProperty("batch_logits").EnumerateArray().Select(v => v.GetSingle()).ToArray();
            Assert.Equal(expectedAlone, alone, (a, e) => Math.Abs(a - e) < 1e-4);
            Assert.Equal(expectedBatch, batch[i], (a, e) => Math.Abs(a - e) < 1e-4);
        }
    }

    private static float[][] Run(InferenceSession session, long[][] rows, int length)
    {
        var inputIds = new DenseTensor<long>([rows.Length, length]);
        var mask = new DenseTensor<long>([rows.Length, length]);
        for (int r = 0; r < rows.Length; r++)
        {
            for (int c = 0; c < rows[r].Length; c++)
            {
                inputIds[r, c] = rows[r][c];
                mask[r, c] = 1;
            }
        }
        using var results = session.Run(
        [
            NamedOnnxValue.CreateFromTensor("input_ids", inputIds),
            NamedOnnxValue.CreateFromTensor("attention_mask", mask),
            NamedOnnxValue.CreateFromTensor("token_type_ids", new DenseTensor<long>([rows.Length, length])),
        ]);
        var logits = results[0].AsTensor<float>();
        return Enumerable.Range(0, rows.Length).Select(r => new[] { logits[r, 0], logits[r, 1] }).ToArray();
    }
}
