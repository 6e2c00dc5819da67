using System.Globalization;
using System.Text.RegularExpressions;
using ZhSentiment.Serving;

namespace ZhSentiment.Tests.Serving;

public sealed partial class ModelCardTests
{
    [Fact]
    public void The_shipped_models_card_states_its_use_and_the_accuracy_its_measurements_give()
    {
        var folder = Path.Combine(TestPaths.RepoRoot, "models", "default");
        var card = ModelCard.Read(folder);
        Assert.False(string.IsNullOrWhiteSpace(card.GoodFor));
        // The front matter's figure is the one the card's measurement section reports, so the two cannot drift apart.
        var measured = double.Parse(MeasuredAccuracy().Match(File.ReadAllText(Path.Combine(folder, "README.md"))).Groups[1].Value, CultureInfo.InvariantCulture);
        Assert.StartsWith($"{Math.Round(measured, 1).ToString("0.0", CultureInfo.InvariantCulture)} %", card.Accuracy, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("---\ngood_for: 评论\naccuracy: \"91 % (dev)\"\n---\n# Card\n", "评论", "91 % (dev)")]
    [InlineData("---\ntasks:\n- text-classification\nlicense: Apache License 2.0\n---\n# StructBERT\n", null, null)]
    [InlineData("# A card without front matter\ngood_for: nothing\n", null, null)]
    public void Reads_the_front_matter_only(string readme, string? goodFor, string? accuracy)
    {
        var folder = Directory.CreateTempSubdirectory("zhsenti-card-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(folder, "README.md"), readme);
            Assert.Equal(new ModelCard(goodFor, accuracy), ModelCard.Read(folder));
            Assert.Equal(ModelCard.None, ModelCard.Read(Path.Combine(folder, "missing")));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [GeneratedRegex(@"\*\*Accuracy (\d+\.\d+) %")]
    private static partial Regex MeasuredAccuracy();
}
