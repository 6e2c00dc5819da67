namespace ZhSentiment.Analysis;

/// <summary>Something a text can talk about (物流), found by its name or any of its terms (快递, 发货, …).</summary>
public sealed record Aspect(string Name, IReadOnlyList<string> Terms)
{
    private string[]? _needles;

    /// <summary>The name and the terms, longest first, without repeats (ignoring case); worked out once, as presets serve every request.</summary>
    public IReadOnlyList<string> Needles =>
        _needles ??= [.. Terms.Prepend(Name).Where(t => t.Length > 0).Distinct(StringComparer.OrdinalIgnoreCase).OrderByDescending(t => t.Length)];
}

/// <summary>A named list of aspects: a shipped preset (电商, alias ecommerce) or a lexicon file of the user's.</summary>
public sealed record AspectPreset(string Name, string? Alias, IReadOnlyList<Aspect> Aspects);

/// <summary>
/// Aspect lexicon files (<c>aspects/*.tsv</c>): one aspect a line, its name then its terms, tab-separated; blank lines
/// and lines starting with <c>#</c> are ignored; a line <c>@name&lt;TAB&gt;电商</c> names the preset, whose alias is then
/// the file's name (<c>ecommerce.tsv</c> → ecommerce); without it the file's name is the preset's name.
/// </summary>
public static class AspectLexicon
{
    /// <summary>The folder of shipped presets, beside the executable.</summary>
    public static string DefaultFolder => Path.Combine(AppContext.BaseDirectory, "aspects");

    /// <summary>Every <c>*.tsv</c> of a folder, ordered by file name; none when the folder does not exist.</summary>
    /// <exception cref="InvalidDataException">A file is malformed or two presets share a name.</exception>
    public static IReadOnlyList<AspectPreset> LoadFolder(string folder)
    {
        if (!Directory.Exists(folder)) return [];
        var presets = Directory.EnumerateFiles(folder, "*.tsv").Order(StringComparer.Ordinal).Select(Load).ToList();
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var preset in presets)
            foreach (var name in new[] { preset.Name, preset.Alias })
                if (name is not null && !names.Add(name))
                    throw new InvalidDataException($"{folder}: two presets are called '{name}'");
        return presets;
    }

    /// <exception cref="InvalidDataException">The file is malformed (the message names its line).</exception>
    public static AspectPreset Load(string path) => Parse(File.ReadLines(path), path);

    public static AspectPreset Parse(IEnumerable<string> lines, string path)
    {
        string stem = Path.GetFileNameWithoutExtension(path);
        string? name = null;
        var aspects = new List<Aspect>();
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        int number = 0;
        foreach (var raw in lines)
        {
            number++;
            var line = raw.TrimEnd('\r');
            if (string.IsNullOrWhiteSpace(line) || line.TrimStart().StartsWith('#')) continue;
            var fields = line.Split('\t').Select(f => f.Trim()).Where(f => f.Length > 0).ToArray();
            if (fields[0] == "@name")
            {
                if (fields.Length != 2) throw new InvalidDataException($"{path}:{number}: write the preset's name as @name<TAB>NAME");
                name = fields[1];
                continue;
            }
            if (!seen.Add(fields[0])) throw new InvalidDataException($"{path}:{number}: aspect '{fields[0]}' is listed twice");
            aspects.Add(new Aspect(fields[0], fields[1..]));
        }
        if (aspects.Count == 0) throw new InvalidDataException($"{path}: no aspects (write one a line: NAME<TAB>TERM<TAB>TERM…)");
        return name is null || name == stem ? new AspectPreset(stem, null, aspects) : new AspectPreset(name, stem, aspects);
    }

    /// <summary>A shipped preset by name or alias, else a lexicon file (the command line's <c>--aspects PRESET|FILE</c>).</summary>
    /// <exception cref="ArgumentException">It is neither.</exception>
    /// <exception cref="InvalidDataException">The file or a shipped preset is malformed.</exception>
    public static AspectPreset Resolve(string presetOrFile)
    {
        var presets = LoadFolder(DefaultFolder);
        if (Find(presets, presetOrFile) is { } preset) return preset;
        if (File.Exists(presetOrFile)) return Load(presetOrFile);
        throw new ArgumentException($"--aspects: '{presetOrFile}' is neither a preset ({string.Join(", ", presets.Select(p => p.Alias is null ? p.Name : $"{p.Name}/{p.Alias}"))}) nor a lexicon file");
    }

    /// <summary>The preset called <paramref name="nameOrAlias"/> (alias in any case), or null.</summary>
    public static AspectPreset? Find(IReadOnlyList<AspectPreset> presets, string nameOrAlias) =>
        presets.FirstOrDefault(p => p.Name == nameOrAlias || string.Equals(p.Alias, nameOrAlias, StringComparison.OrdinalIgnoreCase));
}
