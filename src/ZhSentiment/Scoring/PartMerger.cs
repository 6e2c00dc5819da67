using ZhSentiment.Data;

namespace ZhSentiment.Scoring;

/// <summary>
/// Puts the part files of a sharded run (<see cref="ScoreShard"/>) back together into the file a single run writes:
/// the header once, then one record from each part in turn, part 0 first. Records are copied byte for byte (a
/// <see cref="TableReader"/> only finds where each ends), so the result is identical to the single run's output.
/// Written to OUTPUT.partial and renamed into place once complete, like a scoring run.
/// </summary>
internal static class PartMerger
{
    /// <summary>Merges <paramref name="parts"/>, given in any order, into <paramref name="output"/>; returns the rows written.</summary>
    /// <param name="format">The parts' format; null: their extension.</param>
    /// <exception cref="ScoreException">The parts are not one complete set of one run, or cannot be read or written.</exception>
    public static long Merge(IReadOnlyList<string> parts, string output, TableFormat? format, CancellationToken cancellationToken)
    {
        if (output == "-") throw new ScoreException("--merge needs an output file, not standard output");
        var ordered = Order(parts);
        var partsFormat = format ?? TableFormats.FromPath(ordered[0])
            ?? throw new ScoreException($"cannot tell the format of '{ordered[0]}' from its extension; name it with --format");
        if (TableFormats.FromPath(output) is { } outputFormat && outputFormat != partsFormat)
            throw new ScoreException($"the parts are {partsFormat.ToString().ToLowerInvariant()} but '{output}' names {outputFormat.ToString().ToLowerInvariant()}; merging does not convert");
        var partial = output + ".partial";
        var readers = new List<TableReader>(ordered.Length);
        var sources = new List<FileStream>(ordered.Length);
        long rows = 0;
        try
        {
            foreach (var part in ordered)
            {
                readers.Add(new TableReader(File.OpenRead(part), partsFormat));
                sources.Add(File.OpenRead(part));
                if (!readers[^1].Columns.SequenceEqual(readers[0].Columns))
                    throw new ScoreException($"'{part}' has other columns ({readers[^1].Columns}) than '{ordered[0]}' ({readers[0].Columns}): not parts of one run");
            }
            using (var target = new FileStream(partial, FileMode.Create, FileAccess.Write, FileShare.None, 64 * 1024))
            {
                // The header (and a CSV byte order mark) once, from part 0; the other parts' are skipped.
                Copy(sources[0], target, readers[0].BytesRead);
                for (int p = 1; p < ordered.Length; p++) sources[p].Position = readers[p].BytesRead;
                var copied = readers.Select(r => r.BytesRead).ToArray();
                for (int p = 0; ; p = (p + 1) % ordered.Length)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    if (readers[p].Read() is not { } row)
                    {
                        // Part p ran out: every part is done, or the parts do not add up to one run's rows.
                        for (int q = 0; q < ordered.Length; q++)
                            if (q != p && readers[q].Read() is not null)
                                throw new ScoreException($"'{ordered[q]}' has more rows than '{ordered[p]}' allows (row {rows + 1} of the merged file is missing): not complete parts of one run");
                        break;
                    }
                    if (row.Error is not null || !row.Terminated)
                        throw new ScoreException($"'{ordered[p]}' line {row.Line}: {row.Error ?? "the last row is cut short"}; not a complete part written by zhsenti score --shard");
                    Copy(sources[p], target, row.EndOffset - copied[p]);
                    copied[p] = row.EndOffset;
                    rows++;
                }
            }
            File.Move(partial, output, overwrite: true);
            return rows;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException)
        {
            throw new ScoreException($"cannot merge into '{output}': {e.Message}");
        }
        finally
        {
            foreach (var reader in readers) reader.Dispose();
            foreach (var source in sources) source.Dispose();
        }
    }

    /// <summary>The parts by shard index, checked to be one whole set: every index of one count, once.</summary>
    private static string[] Order(IReadOnlyList<string> parts)
    {
        if (parts.Count == 0) throw new ScoreException("--merge needs the part files");
        var ordered = new string[parts.Count];
        foreach (var part in parts)
        {
            if (!File.Exists(part)) throw new ScoreException($"part file '{part}' does not exist");
            var shard = ScoreShard.OfPart(part)
                ?? throw new ScoreException($"'{part}' is not named as a part (NAME.part-INDEX-of-COUNT.EXT, as zhsenti score --shard writes it)");
            if (shard.Count != parts.Count)
                throw new ScoreException($"'{part}' is part {shard.Index} of {shard.Count}, but {parts.Count} parts were given");
            if (ordered[shard.Index] is { } twice) throw new ScoreException($"'{twice}' and '{part}' are both part {shard.Index}");
            ordered[shard.Index] = part;
        }
        return ordered;
    }

    private static void Copy(FileStream from, Stream to, long bytes)
    {
        Span<byte> buffer = stackalloc byte[16 * 1024];
        while (bytes > 0)
        {
            int read = from.Read(buffer[..(int)Math.Min(buffer.Length, bytes)]);
            if (read == 0) throw new IOException($"'{from.Name}' changed while it was merged");
            to.Write(buffer[..read]);
            bytes -= read;
        }
    }
}
