using System.CommandLine;

namespace ZhSentiment.Cli;

/// <summary><c>zhsenti tokenize</c>: the model's tokens and ids for each text, special tokens included, as JSON lines.</summary>
internal sealed class TokenizeCommand : Command
{
    private readonly ModelOptions _model;
    private readonly Argument<string[]> _texts = new("TEXT") { Description = "Texts to tokenize; without any, one per line from stdin.", Arity = ArgumentArity.ZeroOrMore };

    public TokenizeCommand() : base("tokenize", "Print the model's tokens and ids of each text as JSON lines {\"text\",\"tokens\",\"ids\"}.")
    {
        _model = new ModelOptions(this, inference: false);
        Arguments.Add(_texts);
        SetAction((parse, _) => CliErrors.RunAsync(Name, () => Task.FromResult(Run(parse))));
    }

    private int Run(ParseResult parse)
    {
        using var engine = _model.Load(parse, Name);
        using var output = new JsonLines();
        foreach (var text in InputTexts.From(parse.GetValue(_texts)))
        {
            var (tokens, ids) = engine.Tokenize(text.Text);
            output.Write(json =>
            {
                json.WriteString("text", text.Text);
                json.WriteStartArray("tokens");
                foreach (var token in tokens) json.WriteStringValue(token);
                json.WriteEndArray();
                json.WriteStartArray("ids");
                foreach (var id in ids) json.WriteNumberValue(id);
                json.WriteEndArray();
            });
        }
        return 0;
    }
}
