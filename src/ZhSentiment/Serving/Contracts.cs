using System.ComponentModel;
using System.Text.Json.Serialization;

namespace ZhSentiment.Serving;

// The JSON the service reads and writes. Property names are snake_case, as in the Flask service it replaces.
// Request bodies are parsed by RequestReader (for exact error messages); the request types here describe them in OpenAPI.

[Description("One text.")]
public sealed record TextRequest([property: Description("The text to classify; not empty.")] string Text);

[Description("Several texts.")]
public sealed record TextsRequest([property: Description("The texts to classify, in order; none empty.")] string[] Texts);

[Description("One text (`text`) or several (`texts`), and optionally a neutral band.")]
public sealed record SentimentRequest(
    [property: Description("One text. Give either `text` or `texts`.")] string? Text,
    [property: Description("Several texts, answered in order.")] string[]? Texts,
    [property: Description("When set (0 to 1), texts whose score is below it are labelled `Neutral`.")] double? NeutralThreshold);

[Description("The answer of the Flask service: the label and its probability.")]
public sealed record PredictResponse(
    [property: Description("`Positive` or `Negative`; a model with neutral or star-rating classes decides between its polar sides, each summing its classes (the model's own label where its labels have no sentiment meaning).")] string Label,
    [property: Description("The probability of the label: the sum over its side's classes.")] float Score);

[Description("One class probability, under the model's own label.")]
public sealed record LabelScore([property: Description("The model's label, e.g. 正面.")] string Label, float Score);

[Description("The verdict on one text.")]
public sealed record SentimentItem(
    [property: Description("`Positive`, `Negative` or `Neutral`: the side whose classes hold the most probability (an emotion model's emotions count for their sides: happiness and like Positive; anger, disgust, fear and sadness Negative; surprise and neutral Neutral), so a polar label is always `/predict`'s; `Neutral` also when the score is below `neutral_threshold`. The model's own top label where its labels have no sentiment meaning.")] string Label,
    [property: Description("The probability of the label: the sum over its side's classes.")] float Score,
    [property: Description("The model's own name for its top class, e.g. 正面.")] string ModelLabel,
    [property: Description("Every sentiment class probability, in the model's label order.")] LabelScore[] Probabilities,
    [property: Description("Tokens the model read (special tokens excluded).")] int Tokens,
    [property: Description("Model windows the text was split into (more than 1 for long texts).")] int Windows);

[Description("The verdicts, in input order.")]
public sealed record SentimentResponse([property: Description("The model's name.")] string Model, SentimentItem[] Results);

[Description("One text (`text`) or several (`texts`), and optionally the aspects to look for.")]
public sealed record AnalyzeRequest(
    [property: Description("One text. Give either `text` or `texts`.")] string? Text,
    [property: Description("Several texts, answered in order.")] string[]? Texts,
    [property: Description("A preset's name (电商, 外卖, 酒店, 手机, 汽车, 餐厅, or ecommerce, food_delivery, hotel, phone, car, restaurant; `/info` lists them) or a list of aspects, each a name or {\"name\": \"物流\", \"terms\": [\"快递\", \"发货\"]}.")] System.Text.Json.JsonElement? Aspects,
    [property: Description("When set (0 to 1), verdicts whose top probability is below it are labelled `Neutral`.")] double? NeutralThreshold);

[Description("A span of the text: offsets in UTF-16 code units, `end` exclusive.")]
public sealed record SpanItem(string Text, int Start, int End);

[Description("A sentence or clause and the model's verdict on it alone.")]
public sealed record SentenceItem(
    string Text, int Start, int End, string Label, float Score,
    [property: Description("Its most probable emotion (anger, fear, happiness, …); absent when the model has no emotion labels."), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Emotion = null,
    [property: Description("The score of `emotion`; absent with it."), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] float? EmotionScore = null);

[Description("A span that moved the verdict: `weight` is the probability of Positive with it minus without it, both predicted.")]
public sealed record EvidenceItem(string Text, int Start, int End, float Weight);

[Description("An aspect: whether the text mentions it, and if so the verdict on the clauses that do and their spans.")]
public sealed record AspectItem(
    string Name,
    bool Mentioned,
    [property: Description("Absent when the aspect is not mentioned."), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Label,
    [property: Description("Absent when the aspect is not mentioned."), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] float? Score,
    SpanItem[] Evidence);

[Description("The analysis of one text.")]
public sealed record AnalyzeItem(
    [property: Description("The overall label: `/v1/sentiment`'s, except that after a contrast marker (但是, 可惜, …) the clauses after it weigh more.")] string Label,
    [property: Description("The probability of the label.")] float Score,
    [property: Description("Every sentiment class probability, in the model's label order.")] LabelScore[] Probabilities,
    [property: Description("The text's sentences and clauses, in order.")] SentenceItem[] Sentences,
    [property: Description("The spans that moved the verdict most, strongest first.")] EvidenceItem[] Evidence,
    [property: Description("The requested aspects, in order.")] AspectItem[] Aspects,
    [property: Description("True when one sentence is clearly Positive and another clearly Negative (each side's probability at least 0.7).")] bool Mixed,
    [property: Description("The whole text's most probable emotion; absent when the model has no emotion labels."), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Emotion = null,
    [property: Description("The score of `emotion`; absent with it."), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] float? EmotionScore = null);

[Description("The analyses, in input order.")]
public sealed record AnalyzeResponse([property: Description("The model's name.")] string Model, AnalyzeItem[] Results);

[Description("One text (`text`) or several (`texts`).")]
public sealed record EmotionRequest(
    [property: Description("One text. Give either `text` or `texts`.")] string? Text,
    [property: Description("Several texts, answered in order.")] string[]? Texts);

[Description("One emotion class of the model.")]
public sealed record EmotionScoreItem(
    [property: Description("The canonical emotion: anger, disgust, fear, happiness, like, sadness, surprise or neutral.")] string Label,
    [property: Description("The model's own label for it, e.g. 愤怒.")] string ModelLabel,
    [property: Description("Its probability (softmax models: the classes sum to 1) or, for a multi-label model, its own sigmoid score.")] float Score);

[Description("The emotion of one text.")]
public sealed record EmotionItem(
    [property: Description("The most probable emotion (canonical name).")] string Label,
    [property: Description("Its score.")] float Score,
    [property: Description("The model's own label for it, e.g. 愤怒.")] string ModelLabel,
    [property: Description("Every emotion class of the model, in the model's label order.")] EmotionScoreItem[] Emotions);

[Description("The emotions, in input order.")]
public sealed record EmotionResponse([property: Description("The model's name.")] string Model, EmotionItem[] Results);

[Description("An aspect preset: a lexicon file in `aspects/` beside the executable.")]
public sealed record AspectPresetInfo(string Name, string? Alias, [property: Description("Its aspects' names.")] string[] Aspects);

[Description("The text as the model sees it.")]
public sealed record TokenizeResponse(string[] Tokens, int[] Ids);

[Description("What is being served.")]
public sealed record InfoResponse(
    string Name,
    [property: Description("A folder or modelscope:ORG/NAME.")] string Source,
    string Architecture,
    [property: Description("Each class's canonical name (Positive/Negative/Neutral, or an emotion), in the model's order.")] string[] Labels,
    [property: Description("The model's own labels (id2label), in order.")] string[] ModelLabels,
    [property: Description("Longest model window in tokens, special tokens included.")] int MaxSequenceLength,
    [property: Description("`none` or `int8`.")] string Quantization,
    [property: Description("How int8 matrix weights are stored: `full-range` (−127…127, where this CPU's int8 kernels add products in 32 bits: VNNI) or `7-bit` (−63…63, exact on every CPU); null when not int8.")] string? Int8Weights,
    string EngineVersion,
    string OnnxruntimeVersion,
    [property: Description("Longest accepted text in characters (UTF-16 code units).")] int MaxTextChars,
    [property: Description("Most texts per request.")] int MaxBatchTexts,
    [property: Description("How the model's labels were mapped to `labels`: by meaning, by the LABEL_0/LABEL_1 convention, or not at all.")] string LabelMapping,
    [property: Description("Where the model's labels were read from, e.g. `configuration.json model.label2id`.")] string LabelSource,
    [property: Description("What the model is good for, from its card (the front matter of its README.md); null when the card does not say.")] string? GoodFor,
    [property: Description("The model's measured accuracy, from its card; null when the card does not say.")] string? Accuracy,

    [property: Description("The aspect presets `/v1/analyze` accepts.")] AspectPresetInfo[] AspectPresets,
    [property: Description("What the model answers: `sentiment` (labels with a sentiment meaning, or emotions summed by side) and `emotion` (it has emotion labels: `/v1/emotion`).")] string[] Tasks,
    [property: Description("The model's emotions (canonical names, in its order); empty when it has none.")] string[] Emotions,
    [property: Description("Every served model, as `GET /v1/models` lists them; `?model=NAME` describes another than the default above.")] ModelItem[] Models);

[Description("A served model.")]
public sealed record ModelItem(
    [property: Description("What requests name it by: `\"model\": NAME` in the body of /v1 routes, `?model=NAME` on /predict and /predict_batch.")] string Name,
    [property: Description("Whether requests that name no model get this one (the first configured).")] bool Default,
    [property: Description("What kind of model it is: `zhsenti-ngram` (the shipped default model), `bert`, `structbert`, `xlm-roberta`, … (config.json's model_type); null while it first loads.")] string? Kind,
    [property: Description("Each class's canonical name (Positive/Negative/Neutral, or an emotion), in the model's order; empty while it first loads.")] string[] Labels,
    [property: Description("What it answers: `sentiment` and `emotion` (/v1/emotion); empty while it first loads.")] string[] Tasks,
    [property: Description("Whether it is loaded and has answered its warm-up predictions.")] bool Ready,
    [property: Description("Where it comes from: `default` (the shipped model), `modelscope:ORG/NAME[@REV]`, or a folder: its full path with an API key set, its name only without.")] string Source);

[Description("What to reload a model from; send no body to reload it from its own source.")]
public sealed record ReloadRequest([property: Description("A folder, `modelscope:ORG/NAME[@REV]` or `default`: the model's source from then on.")] string? Source);

[Description("The served models, the default first.")]
public sealed record ModelsResponse(ModelItem[] Models);

[Description("Liveness or readiness.")]
public sealed record StatusResponse([property: Description("`ok`, `ready` or `loading`.")] string Status);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(TextRequest))]
[JsonSerializable(typeof(TextsRequest))]
[JsonSerializable(typeof(SentimentRequest))]
[JsonSerializable(typeof(PredictResponse))]
[JsonSerializable(typeof(PredictResponse[]))]
[JsonSerializable(typeof(SentimentResponse))]
[JsonSerializable(typeof(EmotionRequest))]
[JsonSerializable(typeof(EmotionResponse))]
[JsonSerializable(typeof(AnalyzeRequest))]
[JsonSerializable(typeof(AnalyzeResponse))]
[JsonSerializable(typeof(TokenizeResponse))]
[JsonSerializable(typeof(InfoResponse))]
[JsonSerializable(typeof(StatusResponse))]
[JsonSerializable(typeof(ModelsResponse))]
[JsonSerializable(typeof(ModelItem))]
[JsonSerializable(typeof(ReloadRequest))]
internal sealed partial class ServiceJsonContext : JsonSerializerContext;
