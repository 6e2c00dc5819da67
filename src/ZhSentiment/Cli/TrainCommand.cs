using System.CommandLine;
using System.Globalization;
using Spectre.Console;
using ZhSentiment.Compact;
using ZhSentiment.Inference;
using ZhSentiment.Training;

namespace ZhSentiment.Cli;

/// <summary><c>zhsenti train</c>: trains a compact n-gram model from labelled tables and writes a model folder.</summary>
internal sealed class TrainCommand : Command
{
    /// <summary>Below this many usable rows, or this many of a class, training warns that the data is too small.</summary>
    private const int SmallData = 1000, SmallClass = 100;

    private static readonly TimeSpan PlainProgressInterval = TimeSpan.FromSeconds(5);

    private readonly Option<string[]> _data = new("--data") { Description = "Labelled CSV, TSV or JSON Lines: a label column (0/1, 负面/正面, negative/positive; three classes: 0/1/2, 负面/中性/正面, negative/neutral/positive) and a text column. Repeat to train on several files; a three-class file makes a three-class model, and a text found twice is used once. A file of emotion labels (anger, fear, happiness, neutral, sadness, surprise, disgust, like, or 愤怒/恐惧/高兴/无情绪/悲伤/惊讶/厌恶/喜好…) trains an emotion head beside the sentiment heads, which need at least one sentiment file.", HelpName = "FILE", Required = true };
    private readonly Option<string> _textColumn = ColumnOptions.Text();
    private readonly Option<string> _labelColumn = ColumnOptions.Label();
    private readonly Option<string[]> _dev = new("--dev") { Description = "Labelled files to report accuracy on after each epoch (nothing is tuned on them). Repeatable.", HelpName = "FILE" };
    private readonly Option<string> _output = new("--output") { Description = "The model folder to write (config.json, model.onnx).", HelpName = "DIR", Required = true };
    private readonly Option<int> _seed = new("--seed") { Description = "Seeds initialisation and example order: same data and seed, same model. Default: 1.", DefaultValueFactory = _ => 1 };
    private readonly Option<int> _epochs = new("--epochs") { Description = "Passes over the data. Default: 5.", DefaultValueFactory = _ => 5 };
    private readonly Option<int> _dim = new("--dim") { Description = "Embedding width; 0 trains only the linear n-gram part. Default: 16.", DefaultValueFactory = _ => 16 };
    private readonly Option<int> _embeddingRows = new("--embedding-rows") { Description = "Rows of the embedding table (an id's embedding is row id mod this). Default: 262144.", DefaultValueFactory = _ => new CompactConfig().EmbeddingRows };
    private readonly Option<int> _convFilters = new("--conv-filters") { Description = "Filters of a convolution over the ids' embeddings in text order (reads order beyond one n-gram); 0 for none. Default: 0.", DefaultValueFactory = _ => 0 };
    private readonly Option<int> _convWidth = new("--conv-width") { Description = "Consecutive n-gram ids one filter reads. Default: 9.", DefaultValueFactory = _ => new CompactConfig().ConvWidth };
    private readonly Option<float> _convStep = new("--conv-step") { Description = "Multiplies the step of the convolution's filters. Default: 0.05.", DefaultValueFactory = _ => new CompactTrainerOptions().ConvStepScale };
    private readonly Option<int> _buckets = new("--buckets") { Description = "Rows of the hashed n-gram table. Default: 262144.", DefaultValueFactory = _ => new CompactConfig().Buckets };
    private readonly Option<int> _maxN = new("--max-n") { Description = "Longest character n-gram. Default: 3.", DefaultValueFactory = _ => new CompactConfig().MaxN };
    private readonly Option<int> _maxLength = new("--max-length") { Description = "Most n-gram ids in one window; longer texts are split into windows. Default: 2048.", DefaultValueFactory = _ => new CompactConfig().MaxSequenceLength };
    private readonly Option<bool> _clauseRoles = new("--clause-roles") { Description = "Read each character once more tagged with its role: negated, after a contrast (但是/可惜…), in a conceded clause (虽然…)." };
    private readonly Option<bool> _sqrtPooling = new("--sqrt-pooling") { Description = "Divide a window's summed rows by the square root of their number instead of averaging them (long texts score further from zero)." };
    private readonly Option<bool> _foldTraditional = new("--fold-traditional") { Description = "Read traditional characters as their simplified forms, so that a model trained on simplified text reads both." };
    private readonly Option<ClassWeighting> _classWeighting = new("--class-weighting")
    {
        HelpName = "none|balanced|per-source",
        Description = "Weigh rarer classes up: none, balanced (over the whole data) or per-source (within each 'source'). Default: none.",
        DefaultValueFactory = _ => ClassWeighting.None,
        CustomParser = result => ParseWeighting(result, "--class-weighting") ?? ClassWeighting.None,
    };
    private readonly Option<int> _emotionBuckets = new("--emotion-buckets") { Description = "With emotion data: rows of the emotion head's own table (an id's row is id mod this). Default: 1048576.", DefaultValueFactory = _ => new CompactConfig().EmotionBuckets };
    private readonly Option<int> _emotionEpochs = new("--emotion-epochs") { Description = "With emotion data: passes over the emotion rows, after the sentiment heads are trained. Default: 7.", DefaultValueFactory = _ => new CompactTrainerOptions().EmotionEpochs };
    private readonly Option<float> _emotionStep = new("--emotion-step") { Description = "With emotion data: multiplies the step of the emotion table's weights (as --linear-step does the sentiment table's). Default: 2.", DefaultValueFactory = _ => new CompactTrainerOptions().EmotionStepScale };
    private readonly Option<string> _emotionLexicon = new("--emotion-lexicon")
    {
        Description = "With emotion data: a tab-separated lexicon (header; the word in column 词语 or word, else the first; its class in column 情感分类 or class, else the second), e.g. DUTIR's emotion ontology. Where a word of 2-4 characters occurs, the emotion head also reads its class; the model keeps the words' hashes (emotion_lexicon.bin), and the sentiment heads ignore it.",
        HelpName = "FILE",
    };
    private readonly Option<ClassWeighting?> _emotionClassWeighting = new("--emotion-class-weighting")
    {
        HelpName = "none|balanced|per-source",
        Description = "With emotion data: how rarer emotions are weighed, as --class-weighting does for sentiment. Default: as --class-weighting.",
        CustomParser = result => ParseWeighting(result, "--emotion-class-weighting"),
    };
    private readonly Option<double> _calibration = new("--calibration-fraction") { Description = "Share of the rows held out of training to fit the probabilities' temperatures on (chosen by each text's hash, so the same rows whatever the order). 0 skips calibration. Default: 0.05.", DefaultValueFactory = _ => 0.05 };
    private readonly Option<float> _linearStep = new("--linear-step") { Description = "Multiplies the step of the linear n-gram weights (useful alone, with --dim 0). Default: 1.", DefaultValueFactory = _ => 1f };
    private readonly Option<float> _learningRate = new("--lr") { Description = "Starting SGD step, decayed linearly to zero. Default: 0.5.", DefaultValueFactory = _ => 0.5f };
    private readonly Option<string> _teacher = new("--teacher")
    {
        Description = "Distil a model into this one: a folder --model takes (a StructBERT/BERT checkpoint, an ONNX export) or modelscope:ORG/NAME[@REV], downloaded into the cache. "
            + "It scores every training text as predict does (batched, its own long-text handling; --threads, --quantize, --long-text and --cache-dir apply to it) and the model learns a blend of its probabilities and the gold labels. "
            + "Its scores are not cached: each run scores again.",
        HelpName = "DIR",
    };
    private readonly Option<double?> _teacherWeight = CliValues.Number("--teacher-weight", "W",
        $"With --teacher, the teacher's share of each target, the gold label's being the rest: 1 learns from the teacher alone. Default: {new CompactTrainerOptions().TeacherWeight.ToString(CultureInfo.InvariantCulture)}.",
        min: 0, minAllowed: true, max: 1);
    private readonly ModelOptions _teacherModel;

    public TrainCommand() : base("train", "Train a compact n-gram sentiment model (CPU, minutes) that serve/eval load with --model, from labelled data and optionally a teacher model to distil.")
    {
        foreach (var option in new Option[] { _data, _textColumn, _labelColumn, _dev, _output, _seed, _epochs, _dim, _embeddingRows, _convFilters, _convWidth, _convStep, _buckets, _maxN, _maxLength, _clauseRoles, _foldTraditional, _sqrtPooling, _classWeighting, _calibration, _learningRate, _linearStep, _emotionBuckets, _emotionEpochs, _emotionStep, _emotionClassWeighting, _emotionLexicon })
            Options.Add(option);
        _teacherModel = new ModelOptions(this, model: _teacher);
        Options.Add(_teacherWeight);
        SetAction(parse => Run(parse));
    }

    private int Run(ParseResult parse)
    {
        var console = AnsiConsole.Console;
        try
        {
            // Loaded first, so that a model that cannot teach is refused before the data is read.
            using var teacherEngine = LoadTeacher(parse);
            var teacher = teacherEngine is null ? null : new Teacher(teacherEngine);
            var allFiles = parse.GetValue(_data)!.Select(path => ReadData(parse, path, "training")).ToArray();
            var devs = (parse.GetValue(_dev) ?? []).Select(path => (Path: path, Data: ReadData(parse, path, "dev"))).ToArray();
            // Sentiment and emotion rows are combined apart: the same post may carry a polarity in one file and an
            // emotion in another, and the sentiment rows must be what they would be without emotion files.
            var files = allFiles.Where(f => !f.IsEmotion).ToArray();
            var emotionFiles = allFiles.Where(f => f.IsEmotion).ToArray();
            if (files.Length == 0)
                throw new InvalidDataException("every --data file holds emotion labels: the emotion head is trained beside the sentiment heads, so give at least one sentiment file (labels 负面/正面, or 负面/中性/正面) too");
            bool threeClass = files.Any(f => f.IsThreeClass);
            double calibrationFraction = parse.GetValue(_calibration);
            var (train, calibration, duplicates) = Combine(files.Select(f => threeClass ? f.AsThreeClass() : f.Examples), calibrationFraction);
            if (train.Count == 0) throw new InvalidDataException("the training files hold no usable rows");
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"training on {train.Count} rows ({duplicates} repeated texts used once), {calibration.Count} held out for calibration"));
            WarnIfSmall(train, threeClass ? LabelledDataset.ThreeClassLabels : LabelledDataset.BinaryLabels);
            IReadOnlyList<string> emotionLabels = [.. LabelMeaning.Emotions.Where(e => emotionFiles.Any(f => f.Labels.Contains(e)))];
            var (emotionTrain, emotionCalibration, emotionDuplicates) = Combine(emotionFiles.Select(f => f.AsEmotions(emotionLabels)), calibrationFraction);
            if (emotionFiles.Length > 0)
            {
                if (emotionTrain.Count == 0) throw new InvalidDataException("the emotion files hold no usable rows");
                Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"training the emotion head ({string.Join(", ", emotionLabels)}) on {emotionTrain.Count} rows ({emotionDuplicates} repeated texts used once), {emotionCalibration.Count} held out for calibration"));
                WarnIfSmall(emotionTrain, emotionLabels);
            }
            EmotionLexicon? lexicon = null;
            if (parse.GetValue(_emotionLexicon) is { } lexiconPath)
            {
                if (emotionFiles.Length == 0) throw new InvalidDataException($"--emotion-lexicon {lexiconPath} needs emotion rows (a --data file of emotion labels): only the emotion head reads it");
                if (parse.GetValue(_dim) != 0) throw new InvalidDataException("--emotion-lexicon needs --dim 0 (a linear model)");
                lexicon = EmotionLexicon.FromTable(lexiconPath, parse.GetValue(_foldTraditional), out var classes);
                Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"emotion lexicon: {lexicon.Count} words in {classes.Count} classes ({string.Join(" ", classes)})"));
            }
            if (devs.FirstOrDefault(d => d.Data.IsEmotion && emotionFiles.Length == 0) is { Path: { } emotionDev })
                throw new InvalidDataException($"--dev {emotionDev} holds emotion labels, but no --data file does: the model will have no emotion head to measure");

            var options = new CompactTrainerOptions
            {
                Model = new CompactConfig
                {
                    Labels = threeClass ? LabelledDataset.ThreeClassLabels : LabelledDataset.BinaryLabels,
                    Dim = parse.GetValue(_dim),
                    EmbeddingRows = parse.GetValue(_embeddingRows),
                    ConvFilters = parse.GetValue(_convFilters),
                    ConvWidth = parse.GetValue(_convWidth),
                    Buckets = parse.GetValue(_buckets),
                    MaxN = parse.GetValue(_maxN),
                    MaxSequenceLength = parse.GetValue(_maxLength),
                    ClauseRoles = parse.GetValue(_clauseRoles),
                    FoldTraditional = parse.GetValue(_foldTraditional),
                    SqrtPooling = parse.GetValue(_sqrtPooling),
                    EmotionLabels = emotionLabels,
                    EmotionBuckets = parse.GetValue(_emotionBuckets),
                    EmotionLexiconClasses = lexicon?.Classes ?? 0,
                },
                EmotionLexicon = lexicon,
                Epochs = parse.GetValue(_epochs),
                LearningRate = parse.GetValue(_learningRate),
                LinearStepScale = parse.GetValue(_linearStep),
                ConvStepScale = parse.GetValue(_convStep),
                Seed = parse.GetValue(_seed),
                ClassWeighting = parse.GetValue(_classWeighting),
                TeacherWeight = (float)(parse.GetValue(_teacherWeight) ?? new CompactTrainerOptions().TeacherWeight),
                EmotionEpochs = parse.GetValue(_emotionEpochs),
                EmotionStepScale = parse.GetValue(_emotionStep),
                EmotionClassWeighting = parse.GetValue(_emotionClassWeighting),
            };

            var started = System.Diagnostics.Stopwatch.StartNew();
            TeacherOpinion[]? opinions = null;
            if (teacher is not null)
            {
                Console.Error.WriteLine($"teacher {teacherEngine!.Info.Source} ({teacherEngine.Info.Architecture}), labels {teacher.Mapping}");
                if (threeClass && !teacher.HasNeutral) Console.Error.WriteLine("the teacher has no neutral class: the subjectivity head learns the gold labels alone");
                opinions = ScoreWithTeacher(console, teacher, [.. train.Select(e => e.Text)]);
            }
            void EpochDone(int epoch, CompactWeights w)
            {
                string line = $"epoch {epoch}/{options.Epochs}: {started.Elapsed.TotalSeconds:F1} s";
                foreach (var (path, dev) in devs.Where(d => !d.Data.IsEmotion))
                    line += string.Create(CultureInfo.InvariantCulture, $", {DevName(path)} {Measure(w, dev).Accuracy:P2}");
                console.WriteLine(line);
            }
            void EmotionEpochDone(int epoch, CompactWeights w)
            {
                string line = $"emotion epoch {epoch}/{options.EmotionEpochs}: {started.Elapsed.TotalSeconds:F1} s";
                foreach (var (path, dev) in devs.Where(d => d.Data.IsEmotion))
                {
                    var m = Measure(w, dev);
                    line += string.Create(CultureInfo.InvariantCulture, $", {DevName(path)} {m.Accuracy:P2} (macro-F1 {m.MacroF1:F4})");
                }
                console.WriteLine(line);
            }
            CompactWeights weights;
            if (console.Profile.Capabilities.Interactive)
            {
                weights = console.Progress().Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
                    .Start(ctx =>
                    {
                        var task = ctx.AddTask("training", maxValue: (double)options.Epochs * train.Count);
                        var trainer = new CompactTrainer(options)
                        {
                            Progress = (epoch, done, total) => task.Value = (double)(epoch - 1) * total + done,
                            EpochDone = EpochDone,
                            EmotionEpochDone = EmotionEpochDone,
                        };
                        return trainer.Train(train, calibration, opinions, emotionTrain, emotionCalibration);
                    });
            }
            else
            {
                weights = new CompactTrainer(options) { EpochDone = EpochDone, EmotionEpochDone = EmotionEpochDone }.Train(train, calibration, opinions, emotionTrain, emotionCalibration);
            }
            if (weights.Config.HeadTemperatures.Count > 0)
                console.WriteLine("calibrated: head temperatures " + string.Join(", ", weights.Config.HeadTemperatures.Select(t => t.ToString("F3", CultureInfo.InvariantCulture))));
            if (weights.Config.HasEmotions && emotionCalibration.Count > 0)
                console.WriteLine("calibrated: emotion temperature " + weights.Config.EmotionTemperature.ToString("F3", CultureInfo.InvariantCulture));

            string output = parse.GetValue(_output)!;
            CompactModel.Save(weights, output);
            long bytes = Directory.EnumerateFiles(output).Sum(f => new FileInfo(f).Length);
            console.MarkupLineInterpolated($"wrote {Path.GetFullPath(output)} ({bytes / 1e6:F1} MB) in {started.Elapsed.TotalSeconds:F1} s");
            return 0;
        }
        catch (Exception e) when (CliErrors.IsUsers(e))
        {
            return CliErrors.Report(Name, CliErrors.Message(e));
        }
    }

    /// <summary>The teacher's engine, or null without <c>--teacher</c>; the options that only a teacher takes are refused without it.</summary>
    private SentimentEngine? LoadTeacher(ParseResult parse)
    {
        if (parse.GetValue(_teacher) is null)
        {
            var stray = new Option[] { _teacherWeight, _teacherModel.Threads, _teacherModel.Quantize, _teacherModel.LongText, _teacherModel.CacheDirectory }
                .FirstOrDefault(o => parse.GetResult(o) is { Implicit: false });
            if (stray is not null) throw new CliException($"{stray.Name} applies to the teacher: give --teacher DIR too");
            return null;
        }
        return _teacherModel.Load(parse, Name);
    }

    /// <summary>The teacher's opinion of every training text, with a progress bar (or a line every few seconds) and the rate.</summary>
    private static TeacherOpinion[] ScoreWithTeacher(IAnsiConsole console, Teacher teacher, string[] texts)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        string Rate(int done) => string.Create(CultureInfo.InvariantCulture, $"{done / Math.Max(clock.Elapsed.TotalSeconds, 1e-3):N0} texts/s");
        TeacherOpinion[] opinions;
        if (console.Profile.Capabilities.Interactive)
        {
            opinions = console.Progress().Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new ElapsedTimeColumn())
                .Start(ctx =>
                {
                    var task = ctx.AddTask("teacher scoring", maxValue: Math.Max(texts.Length, 1));
                    return teacher.Score(texts, done =>
                    {
                        task.Value = done;
                        task.Description = $"teacher scoring, {Rate(done)}";
                    });
                });
        }
        else
        {
            var next = PlainProgressInterval;
            opinions = teacher.Score(texts, done =>
            {
                if (clock.Elapsed < next || done == texts.Length) return;
                next = clock.Elapsed + PlainProgressInterval;
                console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"teacher: {done:N0}/{texts.Length:N0} texts, {Rate(done)}"));
            });
        }
        console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"teacher scored {texts.Length:N0} texts in {clock.Elapsed.TotalSeconds:F1} s ({Rate(texts.Length)})"));
        return opinions;
    }

    /// <summary>
    /// The files' examples (labels already in the model's order), each distinct text once (the first file's row wins),
    /// split into training rows and the calibration slice by a hash of the text.
    /// </summary>
    private static (List<LabelledExample> Train, List<LabelledExample> Calibration, int Duplicates) Combine(IEnumerable<IEnumerable<LabelledExample>> files, double calibrationFraction)
    {
        if (!(calibrationFraction is >= 0 and < 0.5)) throw new ArgumentException($"--calibration-fraction must be at least 0 and below 0.5, not {calibrationFraction}");
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var train = new List<LabelledExample>();
        var calibration = new List<LabelledExample>();
        int duplicates = 0;
        uint threshold = (uint)(calibrationFraction * 10_000);
        foreach (var file in files)
        {
            foreach (var e in file)
            {
                if (!seen.Add(e.Text.Trim())) { duplicates++; continue; }
                (Fnv(e.Text) % 10_000 < threshold ? calibration : train).Add(e);
            }
        }
        return (train, calibration, duplicates);
    }

    private static ClassWeighting? ParseWeighting(System.CommandLine.Parsing.ArgumentResult result, string name) => result.Tokens[0].Value.ToLowerInvariant() switch
    {
        "none" => ClassWeighting.None,
        "balanced" => ClassWeighting.Balanced,
        "per-source" => ClassWeighting.PerSource,
        var other => Invalid(result, $"{name} must be none, balanced or per-source, not '{other}'"),
    };

    private static ClassWeighting? Invalid(System.CommandLine.Parsing.ArgumentResult result, string message)
    {
        result.AddError(message);
        return null;
    }

    /// <summary>A dev file's name with its folder, enough to tell apart files of the same name.</summary>
    private static string DevName(string path) => Path.Combine(Path.GetFileName(Path.GetDirectoryName(Path.GetFullPath(path))) ?? "", Path.GetFileName(path));

    private static uint Fnv(string text)
    {
        uint hash = 2166136261;
        foreach (char c in text) hash = (hash ^ c) * 16777619;
        return hash;
    }

    private static void WarnIfSmall(List<LabelledExample> train, IReadOnlyList<string> labels)
    {
        var counts = new int[labels.Count];
        foreach (var e in train) counts[e.Label]++;
        var thin = Enumerable.Range(0, labels.Count).Where(l => counts[l] < SmallClass).Select(l => $"{labels[l]} {counts[l]}").ToArray();
        if (train.Count < SmallData || thin.Length > 0)
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"warning: {train.Count} training rows{(thin.Length > 0 ? $" ({string.Join(", ", thin)})" : "")} is too little to learn sentiment from; expect a weak model (aim for at least {SmallData} rows and {SmallClass} of each class)"));
    }

    private LabelledDataset ReadData(ParseResult parse, string path, string role)
    {
        var data = LabelledDataset.Read(path, textColumn: parse.GetValue(_textColumn), labelColumn: parse.GetValue(_labelColumn));
        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{role} data {path}: {data.Examples.Count} rows, {data.BadRowCount} bad, {(data.IsEmotion ? $"emotions {string.Join("/", data.Labels)}" : data.IsThreeClass ? "three classes" : "two classes")}"));
        ReportBadRows(data, path);
        return data;
    }

    /// <summary>Writes the first bad rows, with their line numbers, to standard error.</summary>
    internal static void ReportBadRows(LabelledDataset data, string path, int shown = 10)
    {
        foreach (var row in data.BadRows.Take(shown)) Console.Error.WriteLine($"  {path}:{row.Line}: {row.Problem}");
        if (data.BadRowCount > shown) Console.Error.WriteLine($"  … and {data.BadRowCount - shown} more bad rows");
    }

    /// <summary>
    /// Accuracy and macro-F1 on a dev file: its own classes where the model has them, the polar decision on a two-class
    /// file, the emotions on an emotion file.
    /// </summary>
    private static ClassificationMetrics Measure(CompactWeights weights, LabelledDataset dev)
    {
        var labels = weights.Config.LabelSet();
        var probabilities = CompactTrainer.Probabilities(weights, [.. dev.Examples.Select(e => e.Text)]);
        var predicted = probabilities.Select(p => Decision.Predict(labels, p, dev.Labels).Label).ToArray();
        return ClassificationMetrics.Compute(dev.Labels, [.. dev.Examples.Select(e => e.Label)], predicted);
    }
}
