// Classifies texts in-process with ZhSentiment.Core and, given --url, through a zhsenti service with ZhSentiment.Client.
// Writes one JSON object per line.
//
//   dotnet run -- 这家店的服务态度真是太好了 物流太慢了
//   dotnet run -- --url http://127.0.0.1:5000/ --api-key KEY 这家店的服务态度真是太好了
using System.Text.Json;
using ZhSentiment;
using ZhSentiment.Client;

string? url = null, apiKey = null;
var texts = new List<string>();
for (int i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--url": url = args[++i]; break;
        case "--api-key": apiKey = args[++i]; break;
        default: texts.Add(args[i]); break;
    }
}
if (texts.Count == 0) texts.AddRange(["这家店的服务态度真是太好了", "物流太慢了，包装也压坏了", "价格有点贵，但是质量真的很好"]);

using var output = new Utf8JsonWriter(Console.OpenStandardOutput(), new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
void Line(Action<Utf8JsonWriter> write)
{
    output.WriteStartObject();
    write(output);
    output.WriteEndObject();
    output.Flush();
    output.Reset();
    Console.Out.Write('\n');
    Console.Out.Flush();
}

// In-process: the shipped model, one analyzer for the whole application.
await using (var analyzer = await SentimentAnalyzer.LoadAsync())
{
    var results = await analyzer.AnalyzeAsync(texts);
    for (int i = 0; i < texts.Count; i++)
    {
        var r = results[i];
        Line(w =>
        {
            w.WriteString("source", "analyzer");
            w.WriteString("text", texts[i]);
            w.WriteString("label", r.Polarity);          // the binary verdict, as /predict and `zhsenti predict` answer
            w.WriteNumber("score", r.PolarityScore);
            w.WriteString("sentiment", r.Label);         // the three-way verdict, as /v1/sentiment answers
            w.WriteNumber("sentiment_score", r.Score);
            w.WriteStartArray("labels");
            foreach (var label in analyzer.Labels.ModelLabels) w.WriteStringValue(label);
            w.WriteEndArray();
            w.WriteStartArray("probabilities");
            foreach (var p in r.Probabilities) w.WriteNumberValue(p);
            w.WriteEndArray();
            if (r.Emotion is { } emotion) w.WriteString("emotion", emotion);
        });
    }
}

// Through the service.
if (url is null) return 0;
using var http = new HttpClient { BaseAddress = new Uri(url) };
var client = new ZhSentimentClient(http, new ZhSentimentClientOptions { ApiKey = apiKey });
try
{
    var info = await client.InfoAsync();
    var answers = await client.PredictBatchAsync(texts);
    var verdicts = await client.SentimentAsync(texts);
    for (int i = 0; i < texts.Count; i++)
    {
        Line(w =>
        {
            w.WriteString("source", "client");
            w.WriteString("model", info.Name);
            w.WriteString("text", texts[i]);
            w.WriteString("label", answers[i].Label);
            w.WriteNumber("score", answers[i].Score);
            w.WriteString("sentiment", verdicts.Results[i].Label);
            w.WriteNumber("sentiment_score", verdicts.Results[i].Score);
        });
    }
    return 0;
}
catch (ZhSentimentException e)
{
    Line(w =>
    {
        w.WriteString("source", "client");
        w.WriteNumber("status", (int)e.StatusCode);
        w.WriteString("detail", e.Detail);
    });
    return 3;
}
