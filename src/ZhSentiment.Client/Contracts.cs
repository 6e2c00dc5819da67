using System.Text.Json;
using System.Text.Json.Serialization;

namespace ZhSentiment.Client;

// The service's JSON (snake_case), as src/ZhSentiment/Serving/Contracts.cs writes it.

/// <summary>The answer of <c>/predict</c> and <c>/predict_batch</c>: the binary verdict.</summary>
/// <param name="Label"><c>Positive</c> or <c>Negative</c> (the model's own top label where its labels have no sentiment meaning).</param>
/// <param name="Score">The probability of the label: the sum over its side's classes.</param>
public sealed record PredictResponse(string Label, float Score);

/// <summary>One class probability, under the model's own label.</summary>
/// <param name="Label">The model's label, e.g. 正面.</param>
/// <param name="Score">Its probability.</param>
public sealed record LabelScore(string Label, float Score);

/// <summary>The verdict of <c>/v1/sentiment</c> on one text.</summary>
/// <param name="Label"><c>Positive</c>, <c>Negative</c> or <c>Neutral</c> (<c>Neutral</c> also below the request's neutral threshold).</param>
/// <param name="Score">The probability of the label: the sum over its side's classes.</param>
/// <param name="ModelLabel">The model's own name for its top class, e.g. 正面.</param>
/// <param name="Probabilities">Every sentiment class probability, in the model's label order.</param>
/// <param name="Tokens">Tokens the model read (special tokens excluded).</param>
/// <param name="Windows">Model windows the text was split into (more than 1 for long texts).</param>
public sealed record SentimentItem(string Label, float Score, string ModelLabel, IReadOnlyList<LabelScore> Probabilities, int Tokens, int Windows);

/// <summary>The answer of <c>/v1/sentiment</c>.</summary>
/// <param name="Model">The model's name.</param>
/// <param name="Results">The verdicts, in input order.</param>
public sealed record SentimentResponse(string Model, IReadOnlyList<SentimentItem> Results);

/// <summary>One emotion class of the model.</summary>
/// <param name="Label">The canonical emotion: anger, disgust, fear, happiness, like, sadness, surprise or neutral.</param>
/// <param name="ModelLabel">The model's own label for it, e.g. 愤怒.</param>
/// <param name="Score">Its probability (or, for a multi-label model, its own sigmoid score).</param>
public sealed record EmotionScoreItem(string Label, string ModelLabel, float Score);

/// <summary>The emotion of one text (<c>/v1/emotion</c>).</summary>
/// <param name="Label">The most probable emotion (canonical name).</param>
/// <param name="Score">Its score.</param>
/// <param name="ModelLabel">The model's own label for it.</param>
/// <param name="Emotions">Every emotion class of the model, in the model's label order.</param>
public sealed record EmotionItem(string Label, float Score, string ModelLabel, IReadOnlyList<EmotionScoreItem> Emotions);

/// <summary>The answer of <c>/v1/emotion</c>.</summary>
/// <param name="Model">The model's name.</param>
/// <param name="Results">The emotions, in input order.</param>
public sealed record EmotionResponse(string Model, IReadOnlyList<EmotionItem> Results);

/// <summary>An aspect to look for in <c>/v1/analyze</c>: its name and the other words that mention it.</summary>
/// <param name="Name">The aspect, e.g. 物流; found by itself too.</param>
/// <param name="Terms">Other words for it, e.g. 快递, 发货.</param>
public sealed record AspectRequest(string Name, IReadOnlyList<string>? Terms = null);

/// <summary>A span of the text: offsets in UTF-16 code units, <see cref="End"/> exclusive.</summary>
public sealed record SpanItem(string Text, int Start, int End);

/// <summary>A sentence or clause and the model's verdict on it alone.</summary>
/// <param name="Text">The clause.</param>
/// <param name="Start">Its first UTF-16 code unit in the text.</param>
/// <param name="End">One past its last.</param>
/// <param name="Label">The verdict.</param>
/// <param name="Score">Its probability.</param>
/// <param name="Emotion">Its most probable emotion; null when the model has no emotion labels.</param>
/// <param name="EmotionScore">The score of <paramref name="Emotion"/>; null with it.</param>
public sealed record SentenceItem(string Text, int Start, int End, string Label, float Score, string? Emotion = null, float? EmotionScore = null);

/// <summary>A span that moved the verdict: <see cref="Weight"/> is the probability of Positive with it minus without it.</summary>
public sealed record EvidenceItem(string Text, int Start, int End, float Weight);

/// <summary>An aspect: whether the text mentions it, and if so the verdict on the clauses that do and their spans.</summary>
/// <param name="Name">The aspect.</param>
/// <param name="Mentioned">Whether the text mentions it.</param>
/// <param name="Label">The verdict; null when not mentioned.</param>
/// <param name="Score">Its probability; null when not mentioned.</param>
/// <param name="Evidence">Where it is mentioned.</param>
public sealed record AspectItem(string Name, bool Mentioned, string? Label, float? Score, IReadOnlyList<SpanItem> Evidence);

/// <summary>The analysis of one text (<c>/v1/analyze</c>).</summary>
/// <param name="Label">The overall verdict: the clauses after a contrast marker (但是, 可惜, …) weigh more.</param>
/// <param name="Score">Its probability.</param>
/// <param name="Probabilities">Every sentiment class probability, in the model's label order.</param>
/// <param name="Sentences">The sentences and clauses, in order.</param>
/// <param name="Evidence">The spans that moved the verdict most, strongest first.</param>
/// <param name="Aspects">The requested aspects, in order.</param>
/// <param name="Mixed">True when one sentence is clearly Positive and another clearly Negative.</param>
/// <param name="Emotion">The whole text's most probable emotion; null when the model has no emotion labels.</param>
/// <param name="EmotionScore">The score of <paramref name="Emotion"/>; null with it.</param>
public sealed record AnalyzeItem(
    string Label, float Score, IReadOnlyList<LabelScore> Probabilities, IReadOnlyList<SentenceItem> Sentences,
    IReadOnlyList<EvidenceItem> Evidence, IReadOnlyList<AspectItem> Aspects, bool Mixed = false, string? Emotion = null, float? EmotionScore = null);

/// <summary>The answer of <c>/v1/analyze</c>.</summary>
/// <param name="Model">The model's name.</param>
/// <param name="Results">The analyses, in input order.</param>
public sealed record AnalyzeResponse(string Model, IReadOnlyList<AnalyzeItem> Results);

/// <summary>An aspect preset the service knows (<c>/info</c>).</summary>
/// <param name="Name">Its name, e.g. 电商.</param>
/// <param name="Alias">Its other name, e.g. ecommerce.</param>
/// <param name="Aspects">Its aspects' names.</param>
public sealed record AspectPresetInfo(string Name, string? Alias, IReadOnlyList<string> Aspects);

/// <summary>What the service serves (<c>/info</c>).</summary>
/// <param name="Name">The model's name.</param>
/// <param name="Source">A folder or modelscope:ORG/NAME.</param>
/// <param name="Architecture">The model's architecture.</param>
/// <param name="Labels">Each class's canonical name (Positive/Negative/Neutral, or an emotion), in the model's order.</param>
/// <param name="ModelLabels">The model's own labels, in order.</param>
/// <param name="MaxSequenceLength">Longest model window in tokens.</param>
/// <param name="Quantization"><c>none</c> or <c>int8</c>.</param>
/// <param name="EngineVersion">The service's engine version.</param>
/// <param name="OnnxruntimeVersion">The ONNX Runtime version.</param>
/// <param name="MaxTextChars">Longest accepted text in characters (UTF-16 code units).</param>
/// <param name="MaxBatchTexts">Most texts per request.</param>
/// <param name="LabelMapping">How the model's labels were mapped.</param>
/// <param name="LabelSource">Where the model's labels were read from.</param>
/// <param name="GoodFor">What the model is good for, from its card; null when the card does not say.</param>
/// <param name="Accuracy">The model's measured accuracy, from its card; null when the card does not say.</param>
/// <param name="AspectPresets">The aspect presets <c>/v1/analyze</c> accepts.</param>
/// <param name="Tasks">What the model answers: <c>sentiment</c>, <c>emotion</c>.</param>
/// <param name="Emotions">The model's emotions, in its order; empty when it has none.</param>
/// <param name="Int8Weights"><c>full-range</c> or <c>7-bit</c> int8 matrix weights; null when not int8.</param>
public sealed record InfoResponse(
    string Name, string Source, string Architecture, IReadOnlyList<string> Labels, IReadOnlyList<string> ModelLabels,
    int MaxSequenceLength, string Quantization, string EngineVersion, string OnnxruntimeVersion, int MaxTextChars, int MaxBatchTexts,
    string LabelMapping, string LabelSource, string? GoodFor, string? Accuracy, IReadOnlyList<AspectPresetInfo> AspectPresets,
    IReadOnlyList<string> Tasks, IReadOnlyList<string> Emotions, string? Int8Weights = null);

/// <summary>The text as the model sees it (<c>/tokenize</c>).</summary>
/// <param name="Tokens">The tokens, special tokens included.</param>
/// <param name="Ids">Their ids.</param>
public sealed record TokenizeResponse(IReadOnlyList<string> Tokens, IReadOnlyList<int> Ids);

/// <summary>Liveness or readiness (<c>/health</c>, <c>/ready</c>).</summary>
/// <param name="Status"><c>ok</c>, <c>ready</c> or <c>loading</c>.</param>
public sealed record StatusResponse(string Status);

internal sealed record TextBody(string Text);

internal sealed record TextsBody(IReadOnlyList<string> Texts);

internal sealed record SentimentBody(
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Text,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<string>? Texts,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] double? NeutralThreshold = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] JsonElement? Aspects = null);

internal sealed record ProblemBody(string? Type, string? Title, int? Status, string? Detail);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(TextBody))]
[JsonSerializable(typeof(TextsBody))]
[JsonSerializable(typeof(SentimentBody))]
[JsonSerializable(typeof(ProblemBody))]
[JsonSerializable(typeof(PredictResponse))]
[JsonSerializable(typeof(IReadOnlyList<PredictResponse>))]
[JsonSerializable(typeof(SentimentResponse))]
[JsonSerializable(typeof(EmotionResponse))]
[JsonSerializable(typeof(AnalyzeResponse))]
[JsonSerializable(typeof(InfoResponse))]
[JsonSerializable(typeof(TokenizeResponse))]
[JsonSerializable(typeof(StatusResponse))]
[JsonSerializable(typeof(AspectRequest))]
[JsonSerializable(typeof(IReadOnlyList<AspectRequest>))]
[JsonSerializable(typeof(string))]
internal sealed partial class ClientJsonContext : JsonSerializerContext;
