using ZhSentiment.Inference;

namespace ZhSentiment.Tests.Inference;

public class TextWindowsTests
{
    [Fact]
    public void ShortTextIsOneWindow()
    {
        var w = new TextWindows(5, 10, new LongTextOptions());
        Assert.Equal(1, w.Count);
        Assert.Equal((0, 5), w[0]);
        Assert.Equal(5, w.CoveredTokens);
    }

    [Fact]
    public void LongTextIsSplitIntoOverlappingWindowsCoveringEveryToken()
    {
        var w = new TextWindows(25, 10, new LongTextOptions { Overlap = 2 });
        // stride 8: starts 0, 8, then the last window is moved to end at the text's end
        Assert.Equal(3, w.Count);
        Assert.Equal((0, 10), w[0]);
        Assert.Equal((8, 10), w[1]);
        Assert.Equal((15, 10), w[2]);
        Assert.Equal(25, w.CoveredTokens);
    }

    [Fact]
    public void TruncateKeepsTheBeginning()
    {
        var w = new TextWindows(25, 10, new LongTextOptions { Mode = LongTextMode.Truncate });
        Assert.Equal(1, w.Count);
        Assert.Equal((0, 10), w[0]);
        Assert.Equal(10, w.CoveredTokens);
    }

    [Fact]
    public void WindowCountIsCapped()
    {
        var w = new TextWindows(10_000, 10, new LongTextOptions { Overlap = 0, MaxWindows = 4 });
        Assert.Equal(4, w.Count);
        Assert.Equal((30, 10), w[3]);
        Assert.Equal(40, w.CoveredTokens);
    }

    [Theory]
    [InlineData(11, 10, null)]
    [InlineData(100, 10, 3)]
    [InlineData(510 * 3 + 7, 510, null)]
    public void WindowsAreFullAndInOrder(int content, int window, int? overlap)
    {
        var w = new TextWindows(content, window, new LongTextOptions { Overlap = overlap });
        int previous = -1;
        for (int i = 0; i < w.Count; i++)
        {
            var (start, length) = w[i];
            Assert.Equal(window, length);
            Assert.True(start > previous);
            previous = start;
        }
        Assert.Equal(content, w[w.Count - 1].Start + w[w.Count - 1].Length);
    }
}
