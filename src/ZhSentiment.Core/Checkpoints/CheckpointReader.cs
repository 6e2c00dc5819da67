namespace ZhSentiment.Checkpoints;

/// <summary>
/// Reads the tensors of a model weights file: PyTorch <c>torch.save</c> (zip format since 1.6, or the legacy
/// format), or safetensors. The format is told by content, not by the file name. Reading never executes anything
/// from the file: pickles go through a reader that only rebuilds tensors and refuses every other Python object.
/// </summary>
public static class CheckpointReader
{
    /// <summary>
    /// Every tensor of the file at <paramref name="path"/>, by name. A <c>torch.save</c> training checkpoint that
    /// nests the state dict one level down (<c>{"state_dict": ...}</c>, <c>{"model": ...}</c>) gives the nested one.
    /// </summary>
    /// <exception cref="ModelFormatException">The file is missing, unreadable, truncated, corrupted, hostile or of an
    /// unsupported kind; the message names the file and the problem.</exception>
    public static IReadOnlyDictionary<string, CheckpointTensor> Read(string path)
    {
        if (Directory.Exists(path)) throw new ModelFormatException(path, "is a folder, not a weights file");
        if (!File.Exists(path)) throw new ModelFormatException(path, "does not exist");
        try
        {
            using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 4096);
            Span<byte> start = stackalloc byte[9];
            int count = file.ReadAtLeast(start, start.Length, throwOnEndOfStream: false);
            start = start[..count];
            file.Position = 0;
            var tensors = start switch
            {
                [] => throw new InvalidDataException("is empty"),
                [(byte)'P', (byte)'K', 3, 4, ..] or [(byte)'P', (byte)'K', 5, 6, ..] => TorchZipReader.Read(file),
                [0x80, ..] => TorchLegacyReader.Read(file),
                _ when SafetensorsReader.Sniff(start) => SafetensorsReader.Read(file.SafeFileHandle),
                _ => throw new InvalidDataException("is not a PyTorch (torch.save) or safetensors weights file"),
            };
            if (tensors.Count == 0) throw new InvalidDataException("holds no tensors");
            return tensors;
        }
        catch (InvalidDataException e)
        {
            throw new ModelFormatException(path, e.Message, e);
        }
        catch (EndOfStreamException e)
        {
            throw new ModelFormatException(path, $"is truncated: {e.Message}", e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ModelFormatException(path, $"cannot be read: {e.Message}", e);
        }
    }
}
