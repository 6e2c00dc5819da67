using System.Globalization;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using ZhSentiment.Checkpoints;
using ZhSentiment.Graph.Onnx;

namespace ZhSentiment.Graph;

/// <summary>
/// Built ONNX graphs on disk, keyed by the checkpoint's content (SHA-256 of its configuration files and the weight files),
/// the build options and <see cref="BertGraphBuilder.Version"/>, so a checkpoint is converted once. Entries are
/// written to a temporary folder and renamed into place; a cache that cannot be written degrades to a model
/// built in memory. Hashing a 400 MB checkpoint takes seconds, so the content key is also recorded in a stamp
/// named after each file's full path, size and modification time, and later starts with the same files read
/// the key from it instead (see <see cref="ResolveKey"/>).
/// </summary>
public sealed class ModelCache
{
    public const string ModelFileName = "model.onnx";

    /// <summary>
    /// Files modified less than this long before they are stamped get no stamp: a write within the same tick of
    /// the file system's coarse clock could leave the modification time unchanged.
    /// </summary>
    private static readonly TimeSpan SettleTime = TimeSpan.FromSeconds(2);

    /// <summary>Weights of at least this size go to the page-aligned <c>model.onnx.data</c>, which ORT maps.</summary>
    private const long ExternalDataThreshold = 4096;

    private readonly Action<string>? _warn;

    /// <param name="root">The cache folder; by default <see cref="DefaultRoot"/>.</param>
    /// <param name="warn">Receives warning-level messages (a cache that cannot be written).</param>
    public ModelCache(string? root = null, Action<string>? warn = null)
    {
        Root = root ?? DefaultRoot;
        _warn = warn;
    }

    /// <summary><c>$ZHSENTI_CACHE</c>, else <c>~/.cache/zhsenti</c>.</summary>
    public static string DefaultRoot
    {
        get
        {
            var fromEnv = Environment.GetEnvironmentVariable("ZHSENTI_CACHE");
            if (!string.IsNullOrEmpty(fromEnv)) return fromEnv;
            return Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "zhsenti");
        }
    }

    public string Root { get; }

    /// <summary>
    /// The model for the checkpoint in <paramref name="modelDir"/> (its config.json and
    /// <paramref name="weightFiles"/>), from the cache or built with the weights <paramref name="loadWeights"/>
    /// reads, which is called only on a miss.
    /// </summary>
    public OnnxModelSource GetOrBuild(string modelDir, IReadOnlyList<string> weightFiles, BertConfig config,
        BertGraphOptions options, Func<IReadOnlyDictionary<string, CheckpointTensor>> loadWeights)
    {
        string key = ResolveKey(modelDir, weightFiles, options);
        string entry = Path.Combine(Root, key);
        string path = Path.Combine(entry, ModelFileName);
        if (File.Exists(path)) return new OnnxModelSource(path, null, path);

        var built = BuildAndSave(key, entry, path, modelDir, weightFiles, config, options, loadWeights);
        // A conversion leaves the checkpoint, its float copies and the graph (over twice the weights) as garbage the
        // session never reuses: hand that memory back to the system before ONNX Runtime allocates its own.
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        return built;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private OnnxModelSource BuildAndSave(string key, string entry, string path, string modelDir, IReadOnlyList<string> weightFiles,
        BertConfig config, BertGraphOptions options, Func<IReadOnlyDictionary<string, CheckpointTensor>> loadWeights)
    {
        string source = weightFiles.Count == 1 ? weightFiles[0] : modelDir;
        var graph = BertGraphBuilder.Build(config, loadWeights(), options, source);
        var metadata = BertGraphBuilder.Metadata(config, options);
        string temporary = Path.Combine(Root, $"{key}.tmp-{Guid.NewGuid():N}");
        try
        {
            Directory.CreateDirectory(temporary);
            OnnxModelWriter.Save(graph, Path.Combine(temporary, ModelFileName), metadata, ExternalDataThreshold);
            try
            {
                Directory.Move(temporary, entry);
            }
            catch (IOException) when (File.Exists(path))
            {
                // Another process built the same entry first.
                Directory.Delete(temporary, recursive: true);
            }
            return new OnnxModelSource(path, null, path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            TryDelete(temporary);
            _warn?.Invoke($"Cannot write the model cache at {Root} ({e.Message}); the model is built in memory and will be built again next start.");
            return new OnnxModelSource(null, OnnxModelWriter.ToBytes(graph, metadata), $"{source} (built in memory)");
        }
    }

    /// <summary>
    /// The content key (<see cref="Key"/>), taken from the stamp of the files' current full paths, sizes and
    /// modification times when one exists and its entry is in the cache; otherwise hashed, and stamped when no file
    /// changed while it was hashed and every file is older than <see cref="SettleTime"/>. Any write to a file changes
    /// its modification time (the clock has moved on since), so a changed checkpoint misses its old stamp.
    /// </summary>
    internal string ResolveKey(string modelDir, IReadOnlyList<string> weightFiles, BertGraphOptions options)
    {
        var files = Inference.ModelFolder.ConfigFilesIn(modelDir).Concat(weightFiles).Select(Path.GetFullPath).ToArray();
        var now = DateTime.UtcNow;
        var before = Stat(files);
        string? stamp = before is null ? null : Path.Combine(Root, Fingerprint(files, before, options) + ".stamp");
        if (stamp is not null && ReadStamp(stamp) is { } known && File.Exists(Path.Combine(Root, known, ModelFileName)))
            return known;

        string key = Key(modelDir, weightFiles, options);
        if (stamp is not null && before!.All(f => f.Modified < now - SettleTime) && before.SequenceEqual(Stat(files) ?? []))
            WriteStamp(stamp, key);
        return key;
    }

    /// <summary>Hex SHA-256 over the builder version, the options, the configuration files and every weight file's name and content.</summary>
    internal static string Key(string modelDir, IReadOnlyList<string> weightFiles, BertGraphOptions options)
    {
        using var all = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        all.AppendData(Encoding.UTF8.GetBytes($"zhsenti-bert-graph\n{BertGraphBuilder.Version}\n{options.Describe()}\n"));
        foreach (var file in Inference.ModelFolder.ConfigFilesIn(modelDir).Concat(weightFiles))
        {
            byte[] digest;
            try
            {
                using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20, FileOptions.SequentialScan);
                digest = SHA256.HashData(stream);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new ModelFormatException(file, $"cannot be read: {e.Message}", e);
            }
            all.AppendData(Encoding.UTF8.GetBytes(Path.GetFileName(file) + "\n"));
            all.AppendData(digest);
        }
        return Convert.ToHexStringLower(all.GetHashAndReset());
    }

    private static (long Length, DateTime Modified)[]? Stat(string[] files)
    {
        var stats = new (long, DateTime)[files.Length];
        for (int i = 0; i < files.Length; i++)
        {
            var info = new FileInfo(files[i]);
            if (!info.Exists) return null;
            stats[i] = (info.Length, info.LastWriteTimeUtc);
        }
        return stats;
    }

    private static string Fingerprint(string[] files, (long Length, DateTime Modified)[] stats, BertGraphOptions options)
    {
        var text = new StringBuilder($"zhsenti-stamp\n{BertGraphBuilder.Version}\n{options.Describe()}\n");
        for (int i = 0; i < files.Length; i++)
            text.Append(CultureInfo.InvariantCulture, $"{files[i]}\n{stats[i].Length}\n{stats[i].Modified.Ticks}\n");
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }

    private static string? ReadStamp(string stamp)
    {
        if (!File.Exists(stamp)) return null;
        try
        {
            string key = File.ReadAllText(stamp).Trim();
            return key.Length == 64 && key.All(char.IsAsciiHexDigitLower) ? key : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>Written whole under a temporary name and renamed, so concurrent starts read a complete stamp or none.</summary>
    private void WriteStamp(string stamp, string key)
    {
        string temporary = $"{stamp}.tmp-{Guid.NewGuid():N}";
        try
        {
            Directory.CreateDirectory(Root);
            File.WriteAllText(temporary, key + "\n");
            File.Move(temporary, stamp, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Without a stamp the next start hashes the checkpoint again; the entry itself is unaffected.
            try { File.Delete(temporary); } catch (Exception inner) when (inner is IOException or UnauthorizedAccessException) { }
        }
    }

    private static void TryDelete(string directory)
    {
        try
        {
            if (Directory.Exists(directory)) Directory.Delete(directory, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Leftover temporary folders are harmless: entries are only ever read under their final name.
        }
    }
}
