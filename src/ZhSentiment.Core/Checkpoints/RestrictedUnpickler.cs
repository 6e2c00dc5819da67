using System.Buffers.Binary;
using System.Numerics;
using System.Text;

namespace ZhSentiment.Checkpoints;

/// <summary>
/// A pickle reader (protocols 2-5, the opcodes <c>torch.save</c> emits) that never executes anything: every
/// GLOBAL, REDUCE, BUILD and persistent id goes through <see cref="TorchPickleRules"/>, which only rebuilds
/// tensor descriptions and refuses everything else. Problems are thrown as <see cref="InvalidDataException"/>
/// naming the byte offset; the checkpoint readers turn them into <see cref="ModelFormatException"/>.
/// </summary>
internal sealed class RestrictedUnpickler
{
    // Bounds that no real state dict comes near, so a hostile file cannot make the reader allocate without end.
    private const int MaxStackItems = 1 << 20;
    private const int MaxLineLength = 512;
    private const int MaxLongBytes = 1024;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly Stream _input;
    private readonly long _limit;
    private readonly long _origin;
    private readonly TorchPickleRules _rules;
    private readonly byte[] _scratch = new byte[8];
    private long _consumed;

    /// <param name="input">Positioned at the first opcode; left just after STOP.</param>
    /// <param name="limit">How many bytes the pickle may take at most (what is left of the file).</param>
    /// <param name="origin">Offset of the pickle in its file, for messages.</param>
    public RestrictedUnpickler(Stream input, long limit, long origin, TorchPickleRules rules)
    {
        _input = input;
        _limit = limit;
        _origin = origin;
        _rules = rules;
    }

    /// <summary>Reads one pickle, up to and including its STOP opcode.</summary>
    public object? Load()
    {
        var stack = new List<object?>();
        var marks = new Stack<int>();
        var memo = new Dictionary<long, object?>();
        while (true)
        {
            long at = _origin + _consumed;
            byte op = ReadByte();
            switch (op)
            {
                case 0x80: // PROTO
                    byte protocol = ReadByte();
                    if (protocol is < 2 or > 5) throw Problem(at, $"pickle protocol {protocol} is not supported (2 to 5 are)");
                    break;
                case 0x95: // FRAME: a length hint only
                    Skip(8);
                    break;
                case (byte)'.': // STOP
                    if (stack.Count != 1 || marks.Count != 0) throw Problem(at, "pickle stops with an unbalanced stack");
                    return stack[0];
                case (byte)'(': // MARK
                    if (marks.Count >= MaxStackItems) throw Problem(at, "pickle nests deeper than any state dict");
                    marks.Push(stack.Count);
                    break;
                case (byte)'0': // POP
                    Pop(stack, at);
                    break;
                case (byte)'1': // POP_MARK
                    PopToMark(stack, marks, at);
                    break;
                case (byte)'2': // DUP
                    Push(stack, Peek(stack, at), at);
                    break;
                case (byte)'N': Push(stack, null, at); break;
                case 0x88: Push(stack, true, at); break; // NEWTRUE
                case 0x89: Push(stack, false, at); break; // NEWFALSE
                case (byte)'J': Push(stack, (long)BinaryPrimitives.ReadInt32LittleEndian(ReadSpan(4)), at); break; // BININT
                case (byte)'K': Push(stack, (long)ReadByte(), at); break; // BININT1
                case (byte)'M': Push(stack, (long)BinaryPrimitives.ReadUInt16LittleEndian(ReadSpan(2)), at); break; // BININT2
                case 0x8a: Push(stack, ReadLong(ReadByte()), at); break; // LONG1
                case 0x8b: Push(stack, ReadLong(ReadLength(4, MaxLongBytes, at)), at); break; // LONG4
                case (byte)'G': Push(stack, BinaryPrimitives.ReadDoubleBigEndian(ReadSpan(8)), at); break; // BINFLOAT
                case (byte)'X': Push(stack, ReadText(ReadLength(4, _limit, at), at), at); break; // BINUNICODE
                case 0x8c: Push(stack, ReadText(ReadByte(), at), at); break; // SHORT_BINUNICODE
                case 0x8d: Push(stack, ReadText(ReadLength(8, _limit, at), at), at); break; // BINUNICODE8
                case (byte)'U': Push(stack, ReadText(ReadByte(), at), at); break; // SHORT_BINSTRING (Python 2 str)
                case (byte)'T': Push(stack, ReadText(ReadLength(4, _limit, at), at), at); break; // BINSTRING
                case (byte)'C': Push(stack, ReadBytes(ReadByte()), at); break; // SHORT_BINBYTES
                case (byte)'B': Push(stack, ReadBytes(ReadLength(4, _limit, at)), at); break; // BINBYTES
                case 0x8e: Push(stack, ReadBytes(ReadLength(8, _limit, at)), at); break; // BINBYTES8
                case 0x96: Push(stack, ReadBytes(ReadLength(8, _limit, at)), at); break; // BYTEARRAY8
                case (byte)')': Push(stack, new PickleTuple([]), at); break; // EMPTY_TUPLE
                case 0x85: Push(stack, new PickleTuple(PopMany(stack, 1, at)), at); break; // TUPLE1
                case 0x86: Push(stack, new PickleTuple(PopMany(stack, 2, at)), at); break; // TUPLE2
                case 0x87: Push(stack, new PickleTuple(PopMany(stack, 3, at)), at); break; // TUPLE3
                case (byte)'t': Push(stack, new PickleTuple(PopToMark(stack, marks, at)), at); break; // TUPLE
                case (byte)']': Push(stack, new List<object?>(), at); break; // EMPTY_LIST
                case (byte)'l': Push(stack, new List<object?>(PopToMark(stack, marks, at)), at); break; // LIST
                case (byte)'a': // APPEND
                {
                    var item = Pop(stack, at);
                    Expect<List<object?>>(Peek(stack, at), "APPEND", at).Add(item);
                    break;
                }
                case (byte)'e': // APPENDS
                {
                    var items = PopToMark(stack, marks, at);
                    Expect<List<object?>>(Peek(stack, at), "APPENDS", at).AddRange(items);
                    break;
                }
                case (byte)'}': Push(stack, new PickleDict(), at); break; // EMPTY_DICT
                case (byte)'d': // DICT
                {
                    var items = PopToMark(stack, marks, at);
                    Push(stack, ToDict(new PickleDict(), items, at), at);
                    break;
                }
                case (byte)'s': // SETITEM
                {
                    var value = Pop(stack, at);
                    var key = Pop(stack, at);
                    Expect<PickleDict>(Peek(stack, at), "SETITEM", at).Set(key, value);
                    break;
                }
                case (byte)'u': // SETITEMS
                {
                    var items = PopToMark(stack, marks, at);
                    ToDict(Expect<PickleDict>(Peek(stack, at), "SETITEMS", at), items, at);
                    break;
                }
                case 0x8f: Push(stack, new List<object?>(), at); break; // EMPTY_SET (a set is kept as a list)
                case 0x90: // ADDITEMS
                {
                    var items = PopToMark(stack, marks, at);
                    Expect<List<object?>>(Peek(stack, at), "ADDITEMS", at).AddRange(items);
                    break;
                }
                case 0x91: Push(stack, new List<object?>(PopToMark(stack, marks, at)), at); break; // FROZENSET
                case (byte)'h': Push(stack, MemoGet(memo, ReadByte(), at), at); break; // BINGET
                case (byte)'j': Push(stack, MemoGet(memo, BinaryPrimitives.ReadUInt32LittleEndian(ReadSpan(4)), at), at); break; // LONG_BINGET
                case (byte)'q': memo[ReadByte()] = Peek(stack, at); break; // BINPUT
                case (byte)'r': memo[BinaryPrimitives.ReadUInt32LittleEndian(ReadSpan(4))] = Peek(stack, at); break; // LONG_BINPUT
                case 0x94: memo[memo.Count] = Peek(stack, at); break; // MEMOIZE
                case (byte)'c': // GLOBAL
                {
                    string module = ReadLine(at);
                    string name = ReadLine(at);
                    Push(stack, Rule(() => _rules.Global(module, name), at), at);
                    break;
                }
                case 0x93: // STACK_GLOBAL
                {
                    var name = Pop(stack, at);
                    var module = Pop(stack, at);
                    if (module is not string m || name is not string n) throw Problem(at, "STACK_GLOBAL needs two strings");
                    Push(stack, Rule(() => _rules.Global(m, n), at), at);
                    break;
                }
                case (byte)'Q': // BINPERSID
                {
                    var pid = Pop(stack, at);
                    Push(stack, Rule(() => _rules.PersistentLoad(pid), at), at);
                    break;
                }
                case (byte)'R': // REDUCE
                {
                    var args = Pop(stack, at);
                    var callable = Pop(stack, at);
                    if (args is not PickleTuple tuple) throw Problem(at, "REDUCE arguments are not a tuple");
                    Push(stack, Rule(() => _rules.Reduce(callable, tuple.Items), at), at);
                    break;
                }
                case (byte)'b': // BUILD
                {
                    var state = Pop(stack, at);
                    var target = Peek(stack, at);
                    Rule(() => { _rules.Build(target, state); return null; }, at);
                    break;
                }
                default:
                    throw Problem(at, $"pickle opcode 0x{op:x2} is not one torch.save writes for a state dict");
            }
        }
    }

    private object? Rule(Func<object?> rule, long at)
    {
        try
        {
            return rule();
        }
        catch (InvalidDataException e)
        {
            throw Problem(at, e.Message);
        }
    }

    private static InvalidDataException Problem(long at, string what) => new($"{what} (pickle byte {at})");

    private static void Push(List<object?> stack, object? value, long at)
    {
        if (stack.Count >= MaxStackItems) throw Problem(at, "pickle stack grows beyond any state dict");
        stack.Add(value);
    }

    private static object? Pop(List<object?> stack, long at)
    {
        if (stack.Count == 0) throw Problem(at, "pickle pops an empty stack");
        var value = stack[^1];
        stack.RemoveAt(stack.Count - 1);
        return value;
    }

    private static object? Peek(List<object?> stack, long at) =>
        stack.Count > 0 ? stack[^1] : throw Problem(at, "pickle reads an empty stack");

    private static object?[] PopMany(List<object?> stack, int count, long at)
    {
        if (stack.Count < count) throw Problem(at, "pickle pops an empty stack");
        var items = stack.GetRange(stack.Count - count, count).ToArray();
        stack.RemoveRange(stack.Count - count, count);
        return items;
    }

    private static int PopMark(Stack<int> marks, long at) =>
        marks.Count > 0 ? marks.Pop() : throw Problem(at, "pickle has no MARK to return to");

    private static object?[] PopToMark(List<object?> stack, Stack<int> marks, long at)
    {
        int mark = PopMark(marks, at);
        if (mark > stack.Count) throw Problem(at, "pickle MARK is above the stack");
        return PopMany(stack, stack.Count - mark, at);
    }

    private static T Expect<T>(object? value, string op, long at) where T : class =>
        value as T ?? throw Problem(at, $"{op} on a {PickleDescription.Of(value)}");

    private static PickleDict ToDict(PickleDict dict, object?[] items, long at)
    {
        if (items.Length % 2 != 0) throw Problem(at, "dict items are not key/value pairs");
        for (int i = 0; i < items.Length; i += 2) dict.Set(items[i], items[i + 1]);
        return dict;
    }

    private static object? MemoGet(Dictionary<long, object?> memo, long key, long at) =>
        memo.TryGetValue(key, out var value) ? value : throw Problem(at, $"pickle memo has no entry {key}");

    private byte ReadByte()
    {
        int b = _consumed < _limit ? _input.ReadByte() : -1;
        if (b < 0) throw new EndOfStreamException($"the pickle is cut off at byte {_origin + _consumed}");
        _consumed++;
        return (byte)b;
    }

    /// <summary>A fixed-size field (at most 8 bytes), read into a reused buffer.</summary>
    private ReadOnlySpan<byte> ReadSpan(int count)
    {
        if (count > _limit - _consumed) throw new EndOfStreamException($"the pickle is cut off at byte {_origin + _consumed}");
        var span = _scratch.AsSpan(0, count);
        _input.ReadExactly(span);
        _consumed += count;
        return span;
    }

    private byte[] ReadBytes(long count)
    {
        if (count > _limit - _consumed)
            throw new EndOfStreamException($"the pickle is cut off: {count} bytes declared at byte {_origin + _consumed}");
        var bytes = new byte[count];
        _input.ReadExactly(bytes);
        _consumed += count;
        return bytes;
    }

    private void Skip(int count) => ReadSpan(count);

    /// <summary>A 4- or 8-byte little-endian length, checked against <paramref name="max"/> before anything is allocated.</summary>
    private long ReadLength(int width, long max, long at)
    {
        var span = ReadSpan(width);
        ulong length = width == 4 ? BinaryPrimitives.ReadUInt32LittleEndian(span) : BinaryPrimitives.ReadUInt64LittleEndian(span);
        if (length > (ulong)Math.Min(max, _limit - _consumed)) throw Problem(at, $"pickle declares {length} bytes where {Math.Min(max, _limit - _consumed)} remain");
        return (long)length;
    }

    private string ReadText(long count, long at)
    {
        try
        {
            return StrictUtf8.GetString(ReadBytes(count));
        }
        catch (DecoderFallbackException)
        {
            throw Problem(at, "pickle string is not valid UTF-8");
        }
    }

    private object ReadLong(long count)
    {
        var bytes = ReadBytes(count);
        if (count <= 8)
        {
            long value = 0;
            for (int i = (int)count - 1; i >= 0; i--) value = (value << 8) | bytes[i];
            int unused = 64 - 8 * (int)count;
            return count == 0 ? 0L : (value << unused) >> unused; // sign-extend
        }
        return new BigInteger(bytes, isUnsigned: false, isBigEndian: false);
    }

    private string ReadLine(long at)
    {
        var line = new StringBuilder();
        while (true)
        {
            byte b = ReadByte();
            if (b == (byte)'\n') return line.ToString();
            if (b is < 0x20 or > 0x7e || line.Length >= MaxLineLength) throw Problem(at, "GLOBAL name is not a Python identifier");
            line.Append((char)b);
        }
    }
}
