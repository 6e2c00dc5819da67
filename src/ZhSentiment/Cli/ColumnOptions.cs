using System.CommandLine;
using ZhSentiment.Data;
using ZhSentiment.Training;

namespace ZhSentiment.Cli;

/// <summary><c>--text-column</c> (score, train, eval) and <c>--label-column</c> (train, eval), declared once.</summary>
internal static class ColumnOptions
{
    public static Option<string> Text() => new("--text-column")
    {
        Description = $"The column holding the text. Default: the first column named {string.Join(", ", TextColumn.UsualNames)} (any case), else the only column.",
        HelpName = "NAME",
    };

    public static Option<string> Label() => new("--label-column")
    {
        Description = $"The column holding the label. Default: {LabelledDataset.DefaultLabelColumn}.",
        HelpName = "NAME",
    };
}
