using System.CommandLine;
using ZhSentiment.Inference;

namespace ZhSentiment.Cli;

/// <summary><c>zhsenti convert</c>: a checkpoint folder written out as an ONNX folder that <c>--model</c> loads with no conversion at start.</summary>
internal sealed class ConvertCommand : Command
{
    private readonly Option<string> _model = new("--model") { Description = "The checkpoint folder (PyTorch or safetensors weights).", HelpName = "DIR", Required = true };
    private readonly Option<string> _output = new("--output") { Description = "The new ONNX folder to write (must not exist, or be empty).", HelpName = "DIR", Required = true };
    private readonly Option<string> _quantize = new("--quantize") { Description = "int8 quantizes the encoder's matrix multiplications. Default: none.", HelpName = "none|int8", DefaultValueFactory = _ => "none" };

    public ConvertCommand() : base("convert", "Convert a PyTorch/safetensors checkpoint folder into an ONNX folder (model.onnx, config.json, tokenizer files).")
    {
        Options.Add(_model);
        Options.Add(_output);
        Options.Add(_quantize);
        SetAction((parse, _) => CliErrors.RunAsync(() =>
        {
            string output = parse.GetValue(_output)!;
            ModelConverter.Convert(parse.GetValue(_model)!, output, ModelLoader.ParseQuantize(parse.GetValue(_quantize)!));
            Console.Error.WriteLine($"zhsenti: wrote {Path.GetFullPath(output)}");
            return Task.FromResult(0);
        }));
    }
}
