using System.CommandLine;
using ZhSentiment.Inference;

namespace ZhSentiment.Cli;

/// <summary><c>zhsenti convert</c>: a checkpoint folder written out as an ONNX folder that <c>--model</c> loads with no conversion at start.</summary>
internal sealed class ConvertCommand : Command
{
    private readonly Option<string> _model = new("--model") { Description = "The checkpoint folder (PyTorch or safetensors weights).", HelpName = "DIR", Required = true };
    private readonly Option<string> _output = new("--output") { Description = "The new ONNX folder to write (must not exist, or be empty).", HelpName = "DIR", Required = true };
    private readonly Option<string> _quantize = ModelOptions.QuantizeOption();

    public ConvertCommand() : base("convert", "Convert a PyTorch/safetensors checkpoint folder into an ONNX folder (model.onnx, config.json, tokenizer files).")
    {
        Options.Add(_model);
        Options.Add(_output);
        Options.Add(_quantize);
        SetAction((parse, _) => CliErrors.RunAsync(Name, () =>
        {
            string output = parse.GetValue(_output)!;
            ModelConverter.Convert(parse.GetValue(_model)!, output, ModelLoader.ParseQuantize(parse.GetValue(_quantize) ?? ModelOptions.DefaultQuantize));
            Console.Error.WriteLine(CliErrors.Format(Name, $"wrote {Path.GetFullPath(output)}"));
            return Task.FromResult(0);
        }));
    }
}
