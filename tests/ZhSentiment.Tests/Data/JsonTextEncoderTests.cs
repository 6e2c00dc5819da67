using System.Text;
using System.Text.Json;
using ZhSentiment.Data;

namespace ZhSentiment.Tests.Data;

public sealed class JsonTextEncoderTests
{
    [Theory]
    [InlineData("这家店😊很好", "\"这家店😊很好\"")]
    [InlineData("a\"b\\c", "\"a\\\"b\\\\c\"")]
    [InlineData("tab\tnew\nline\u0001", "\"tab\\tnew\\nline\\u0001\"")]
    [InlineData("<script>&'", "\"<script>&'\"")]
    public void Escapes_only_what_json_requires_and_reads_back(string text, string json)
    {
        var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JsonTextEncoder.Instance })) writer.WriteStringValue(text);
        Assert.Equal(json, Encoding.UTF8.GetString(buffer.ToArray()));
        Assert.Equal(text, JsonSerializer.Deserialize<string>(buffer.ToArray()));
    }

    [Fact]
    public void A_lone_surrogate_becomes_the_replacement_character()
    {
        var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JsonTextEncoder.Instance })) writer.WriteStringValue("a\ud800b");
        Assert.Equal("a\ufffdb", JsonSerializer.Deserialize<string>(buffer.ToArray()));
    }
}
