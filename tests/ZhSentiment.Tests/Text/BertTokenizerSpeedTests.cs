using System.Diagnostics;
using ZhSentiment.Text;

namespace ZhSentiment.Tests.Text;

/// <summary>
/// Measures the per-request path, EncodeTo, on short Chinese reviews and prints the numbers:
///   tests/ZhSentiment.Tests/bin/Release/net10.0/ZhSentiment.Tests -class ZhSentiment.Tests.Text.BertTokenizerSpeedTests -showLiveOutput
/// Asserts only what does not depend on the machine: no allocation per call.
/// </summary>
public class BertTokenizerSpeedTests
{
    // About 50 characters each, as reviews go: Chinese with some punctuation, digits, Latin and emoji.
    private static readonly string[] Reviews =
    [
        "这家店的服务态度非常好，菜品也很新鲜，分量足，价格实惠，环境干净整洁，停车也方便，下次还会再来！👍",
        "物流太慢了，等了整整一个星期才到，外包装也破了，里面的东西有划痕，联系客服还不理人，差评，不会再买。",
        "手机运行很流畅，拍照效果不错，夜景也清楚，屏幕显示细腻，就是电池续航一般，iPhone老用户表示满意。",
        "酒店位置很好，离地铁站只有5分钟，房间干净整洁，隔音效果不错，早餐种类丰富，前台服务热情周到，推荐。",
        "質量很差，用了兩天就壞了，申請退貨還要自己出運費，客服態度也不好，推來推去，再也不會在這家買東西了。",
        "书的内容很精彩，故事情节紧凑，印刷质量也好，纸张厚实没有异味，就是价格有点贵，￥89感觉有点不值。",
        "电影剧情拖沓，节奏太慢，演员演技尴尬，台词也很生硬，特效还算可以，音乐不错，整体3分吧，不推荐去看。",
        "宝贝收到了，和描述的一样，颜色很正，面料舒服，尺码合适，做工精细没有线头，物流也快，给卖家点个赞★",
    ];

    public static TheoryData<string> Configurations => ["cased", "uncased"];

    [Theory]
    [MemberData(nameof(Configurations))]
    public void Encodes_short_reviews_fast_without_allocating(string configuration)
    {
        using var folder = TokenizerFixtures.ModelFolder(configuration);
        var tokenizer = BertTokenizer.Load(folder.Path);
        var ids = new List<int>(256);
        int chars = Reviews.Sum(r => r.Length), tokens = 0;
        foreach (var review in Reviews)
        {
            ids.Clear();
            tokenizer.EncodeTo(review, ids);
            tokens += ids.Count;
        }

        long Run(int rounds)
        {
            for (int round = 0; round < rounds; round++)
                foreach (var review in Reviews)
                {
                    ids.Clear();
                    tokenizer.EncodeTo(review, ids);
                }
            return (long)rounds * Reviews.Length;
        }
        for (var warmUp = Stopwatch.StartNew(); warmUp.ElapsedMilliseconds < 500;) Run(100); // let the JIT reach its final tier
        long allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        var clock = Stopwatch.StartNew();
        long calls = 0;
        while (clock.ElapsedMilliseconds < 1000) calls += Run(500);
        clock.Stop();
        long allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;

        double microseconds = clock.Elapsed.TotalMicroseconds / calls;
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"{configuration}: {microseconds:F2} µs per review of {chars / (double)Reviews.Length:F0} chars, " +
            $"{tokens / (double)Reviews.Length * calls / clock.Elapsed.TotalSeconds / 1e6:F1} M tokens/s, {allocated / (double)calls:F1} bytes allocated per call");
        // Under a byte per call: no call allocates (the smallest object is 24 bytes); the pool may refill after a GC trims it.
        Assert.True(allocated < calls, $"{allocated} bytes allocated over {calls} calls");
    }
}
