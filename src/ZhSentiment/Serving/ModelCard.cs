namespace ZhSentiment.Serving;

/// <summary>
/// What a model folder's card (<c>README.md</c>) says about the model for its users, read from the card's front
/// matter, as Hugging Face and ModelScope cards carry theirs: <c>good_for: ...</c> and <c>accuracy: ...</c> lines
/// between two <c>---</c> lines at the top. Anything else in the card is for people reading it.
/// </summary>
public sealed record ModelCard(string? GoodFor, string? Accuracy)
{
    public static ModelCard None { get; } = new(null, null);

    /// <summary>The card of the model in <paramref name="folder"/>, or <see cref="None"/> when it has none (or it cannot be read).</summary>
    public static ModelCard Read(string folder)
    {
        var path = Path.Combine(folder, "README.md");
        if (!File.Exists(path)) return None;
        try
        {
            using var reader = new StreamReader(path);
            if (reader.ReadLine()?.TrimEnd() != "---") return None;
            string? goodFor = null, accuracy = null;
            for (int i = 0; i < 200 && reader.ReadLine() is { } line && line.TrimEnd() != "---"; i++)
            {
                int colon = line.IndexOf(':', StringComparison.Ordinal);
                if (colon < 0) continue;
                var value = line[(colon + 1)..].Trim().Trim('"');
                switch (line[..colon].Trim())
                {
                    case "good_for": goodFor = value; break;
                    case "accuracy": accuracy = value; break;
                }
            }
            return new ModelCard(goodFor, accuracy);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return None;
        }
    }
}
