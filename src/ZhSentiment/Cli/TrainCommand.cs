using System.CommandLine;
using System.Globalization;
using Spectre.Console;
using ZhSentiment.Compact;
using ZhSentiment.Training;

namespace ZhSentiment.Cli;

/// <summary><c>zhsenti train</c>: trains a compact n-gram model from a labelled table and writes a model folder.</summary>
internal sealed class TrainCommand : Command
{
    private readonly Option<string> _data = new("--data") { Description = "Labelled CSV, TSV or JSON Lines: a label column (0/1, 负面/正面, negative/positive) and a text column.", HelpName = "FILE", Required = true };
    private readonly Option<string> _textColumn = ColumnOptions.Text();
    private readonly Option<string> _labelColumn = ColumnOptions.Label();
    private readonly Option<string> _dev = new("--dev") { Description = "A labelled file to report accuracy on after each epoch (nothing is tuned on it).", HelpName = "FILE" };
    private readonly Option<string> _output = new("--output") { Description = "The model folder to write (config.json, model.onnx).", HelpName = "DIR", Required = true };
    private readonly Option<int> _seed = new("--seed") { Description = "Seeds initialisation and example order: same data and seed, same model. Default: 1.", DefaultValueFactory = _ => 1 };
    private readonly Option<int> _epochs = new("--epochs") { Description = "Passes over the data. Default: 5.", DefaultValueFactory = _ => 5 };
    private readonly Option<int> _dim = new("--dim") { Description = "Embedding width; 0 trains only the linear n-gram part. Default: 16.", DefaultValueFactory = _ => 16 };
    private readonly Option<float> _linearStep = new("--linear-step") { Description = "Multiplies the step of the linear n-gram weights (useful alone, with --dim 0). Default: 1.", DefaultValueFactory = _ => 1f };
    private readonly Option<float> _learningRate = new("--lr") { Description = "Starting SGD step, decayed linearly to zero. Default: 0.5.", DefaultValueFactory = _ => 0.5f };

    public TrainCommand() : base("train", "Train a compact n-gram sentiment model (CPU, minutes) that serve/eval load with --model.")
    {
        Options.Add(_data);
        Options.Add(_dev);
        Options.Add(_output);
        Options.Add(_seed);
        Options.Add(_epochs);
        Options.Add(_dim);
        Options.Add(_learningRate);
        Options.Add(_linearStep);
        Options.Add(_textColumn);
        Options.Add(_labelColumn);
        SetAction(parse => Run(parse));
    }

    private int Run(ParseResult parse)
    {
        var console = AnsiConsole.Console;
        try
        {
            var options = new CompactTrainerOptions
            {
                Model = new CompactConfig { Labels = LabelledDataset.Labels, Dim = parse.GetValue(_dim) },
                Epochs = parse.GetValue(_epochs),
                LearningRate = parse.GetValue(_learningRate),
                LinearStepScale = parse.GetValue(_linearStep),
                Seed = parse.GetValue(_seed),
            };
            var train = ReadData(parse, parse.GetValue(_data)!, "training");
            var dev = parse.GetValue(_dev) is { } devPath ? ReadData(parse, devPath, "dev") : null;
            if (train.Examples.Count == 0) throw new InvalidDataException("the training file holds no usable rows");

            var devTexts = dev?.Examples.Select(e => e.Text).ToArray();
            var started = System.Diagnostics.Stopwatch.StartNew();
            CompactWeights weights;
            void EpochDone(int epoch, CompactWeights w)
            {
                string line = $"epoch {epoch}/{options.Epochs}: {started.Elapsed.TotalSeconds:F1} s";
                if (dev is not null)
                {
                    var predicted = CompactTrainer.Predict(w, devTexts!);
                    line += $", dev accuracy {Accuracy(dev, predicted):P2}";
                }
                console.WriteLine(line);
            }
            if (console.Profile.Capabilities.Interactive)
            {
                weights = console.Progress().Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
                    .Start(ctx =>
                    {
                        var task = ctx.AddTask("training", maxValue: (double)options.Epochs * train.Examples.Count);
                        var trainer = new CompactTrainer(options)
                        {
                            Progress = (epoch, done, total) => task.Value = (double)(epoch - 1) * total + done,
                            EpochDone = EpochDone,
                        };
                        return trainer.Train(train.Examples);
                    });
            }
            else
            {
                weights = new CompactTrainer(options) { EpochDone = EpochDone }.Train(train.Examples);
            }

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

    private LabelledDataset ReadData(ParseResult parse, string path, string role)
    {
        var data = LabelledDataset.Read(path, textColumn: parse.GetValue(_textColumn), labelColumn: parse.GetValue(_labelColumn));
        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{role} data {path}: {data.Examples.Count} rows, {data.BadRowCount} bad"));
        ReportBadRows(data, path);
        return data;
    }

    /// <summary>Writes the first bad rows, with their line numbers, to standard error.</summary>
    internal static void ReportBadRows(LabelledDataset data, string path, int shown = 10)
    {
        foreach (var row in data.BadRows.Take(shown)) Console.Error.WriteLine($"  {path}:{row.Line}: {row.Problem}");
        if (data.BadRowCount > shown) Console.Error.WriteLine($"  … and {data.BadRowCount - shown} more bad rows");
    }

    private static double Accuracy(LabelledDataset data, int[] predicted)
    {
        int correct = 0;
        for (int i = 0; i < predicted.Length; i++) if (predicted[i] == data.Examples[i].Label) correct++;
        return predicted.Length == 0 ? 0 : (double)correct / predicted.Length;
    }
}
