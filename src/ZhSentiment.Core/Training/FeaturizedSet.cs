using ZhSentiment.Compact;

namespace ZhSentiment.Training;

/// <summary>Texts turned into n-gram ids once, stored flat: text <c>i</c>'s ids are <c>Ids[Offsets[i]..Offsets[i+1]]</c>.</summary>
internal sealed class FeaturizedSet
{
    private FeaturizedSet(int[] ids, long[] offsets, int[] labels)
    {
        Ids = ids;
        Offsets = offsets;
        Labels = labels;
    }

    public int[] Ids { get; }
    public long[] Offsets { get; }
    public int[] Labels { get; }
    public int Count => Labels.Length;

    public ReadOnlySpan<int> this[int i] => Ids.AsSpan((int)Offsets[i], (int)(Offsets[i + 1] - Offsets[i]));

    public static FeaturizedSet Create(IReadOnlyList<LabelledExample> examples, NgramFeaturizer featurizer)
    {
        var ids = new List<int>(examples.Count * 128);
        var offsets = new long[examples.Count + 1];
        var labels = new int[examples.Count];
        for (int i = 0; i < examples.Count; i++)
        {
            featurizer.Encode(examples[i].Text, ids);
            offsets[i + 1] = ids.Count;
            labels[i] = examples[i].Label;
        }
        return new FeaturizedSet([.. ids], offsets, labels);
    }
}
