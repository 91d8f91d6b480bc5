using System.Buffers.Binary;
using System.Numerics;
using System.Text;

namespace Convolve.Weights;

/// <summary>A Python global (<c>module.name</c>) named by a pickle; only globals the caller allows are ever created.</summary>
internal sealed record PickleGlobal(string Module, string Name)
{
    public override string ToString() => $"{Module}.{Name}";
}

/// <summary>A pickled dict (also <c>collections.OrderedDict</c>), keeping insertion order.</summary>
internal sealed class PickleDict
{
    private readonly Dictionary<object, int> _index = new();
    public List<KeyValuePair<object, object?>> Items { get; } = new();

    public void Set(object key, object? value)
    {
        if (_index.TryGetValue(key, out int i)) Items[i] = new(key, value);
        else { _index[key] = Items.Count; Items.Add(new(key, value)); }
    }
}

/// <summary>Thrown by <see cref="PickleReader"/> for malformed pickles; the caller adds the file name.</summary>
internal sealed class PickleException(string message) : Exception(message);

/// <summary>
/// A minimal, data-only pickle virtual machine: the opcodes torch.save writes (protocols 2–5), no code execution.
/// Globals are checked against <c>allowGlobal</c> when they are named, REDUCE/NEWOBJ are handed to <c>call</c>,
/// BINPERSID to <c>persistentLoad</c>. Every length is checked against the bytes left, so a hostile pickle cannot
/// make it allocate more than its own size.
/// </summary>
internal sealed class PickleReader(
    Stream stream,
    Func<PickleGlobal, bool> allowGlobal,
    Func<PickleGlobal, object?[], object?> call,
    Func<object?, object?> persistentLoad)
{
    private static readonly object Mark = new();
    private readonly List<object?> _stack = new();
    private readonly Stack<int> _marks = new();
    private readonly Dictionary<long, object?> _memo = new();

    /// <summary>Runs one pickle from the stream's current position up to and including its STOP; returns its value.</summary>
    public object? Load()
    {
        _stack.Clear();
        _marks.Clear();
        _memo.Clear();
        while (true)
        {
            byte op = ReadByte();
            switch (op)
            {
                case 0x80: ReadByte(); break;                                  // PROTO
                case 0x95: ReadBytes(8); break;                                // FRAME (length only; we read sequentially)
                case (byte)'.': return _stack.Count == 1 ? Pop() : throw new PickleException("STOP with a bad stack");
                case (byte)'(': _marks.Push(_stack.Count); break;              // MARK
                case (byte)'}': Push(new PickleDict()); break;                 // EMPTY_DICT
                case (byte)']': Push(new List<object?>()); break;              // EMPTY_LIST
                case (byte)')': Push(Array.Empty<object?>()); break;           // EMPTY_TUPLE
                case (byte)'t': Push(PopToMark().ToArray()); break;            // TUPLE
                case 0x85: Push(new[] { Pop() }); break;                       // TUPLE1
                case 0x86: { var b = Pop(); var a = Pop(); Push(new[] { a, b }); break; }
                case 0x87: { var c = Pop(); var b = Pop(); var a = Pop(); Push(new[] { a, b, c }); break; }
                case (byte)'X': Push(Utf8(ReadLength(4))); break;              // BINUNICODE
                case 0x8c: Push(Utf8(ReadLength(1))); break;                   // SHORT_BINUNICODE
                case 0x8d: Push(Utf8(ReadLength(8))); break;                   // BINUNICODE8
                case (byte)'T': Push(Encoding.Latin1.GetString(ReadBytes(ReadLength(4)))); break; // BINSTRING (Python 2 str)
                case (byte)'U': Push(Encoding.Latin1.GetString(ReadBytes(ReadLength(1)))); break; // SHORT_BINSTRING
                case (byte)'B': Push(ReadBytes(ReadLength(4))); break;         // BINBYTES
                case (byte)'C': Push(ReadBytes(ReadLength(1))); break;         // SHORT_BINBYTES
                case (byte)'J': Push((long)BinaryPrimitives.ReadInt32LittleEndian(ReadBytes(4))); break; // BININT
                case (byte)'K': Push((long)ReadByte()); break;                 // BININT1
                case (byte)'M': Push((long)BinaryPrimitives.ReadUInt16LittleEndian(ReadBytes(2))); break; // BININT2
                case 0x8a: Push(Long(ReadBytes(ReadLength(1)))); break;        // LONG1
                case 0x8b: Push(Long(ReadBytes(ReadLength(4)))); break;        // LONG4
                case (byte)'G': Push(BinaryPrimitives.ReadDoubleBigEndian(ReadBytes(8))); break; // BINFLOAT
                case 0x88: Push(true); break;                                  // NEWTRUE
                case 0x89: Push(false); break;                                 // NEWFALSE
                case (byte)'N': Push(null); break;                             // NONE
                case (byte)'c': Push(Global(ReadLine(), ReadLine())); break;   // GLOBAL
                case 0x93: { var name = Pop(); var module = Pop(); Push(Global(AsString(module), AsString(name))); break; } // STACK_GLOBAL
                case (byte)'R': { var args = Pop(); var f = Pop(); Push(Call(f, args)); break; } // REDUCE
                case 0x81: { var args = Pop(); var cls = Pop(); Push(Call(cls, args)); break; }  // NEWOBJ
                case (byte)'Q': Push(persistentLoad(Pop())); break;            // BINPERSID
                case (byte)'q': _memo[ReadByte()] = Peek(); break;             // BINPUT
                case (byte)'r': _memo[BinaryPrimitives.ReadUInt32LittleEndian(ReadBytes(4))] = Peek(); break; // LONG_BINPUT
                case 0x94: _memo[_memo.Count] = Peek(); break;                 // MEMOIZE
                case (byte)'h': Push(Memo(ReadByte())); break;                 // BINGET
                case (byte)'j': Push(Memo(BinaryPrimitives.ReadUInt32LittleEndian(ReadBytes(4)))); break; // LONG_BINGET
                case (byte)'s': { var v = Pop(); var k = Pop(); AsDict(Peek()).Set(Key(k), v); break; } // SETITEM
                case (byte)'u':                                                // SETITEMS
                {
                    var items = PopToMark();
                    if (items.Count % 2 != 0) throw new PickleException("SETITEMS with an odd number of items");
                    var dict = AsDict(Peek());
                    for (int i = 0; i < items.Count; i += 2) dict.Set(Key(items[i]), items[i + 1]);
                    break;
                }
                case (byte)'a': { var v = Pop(); AsList(Peek()).Add(v); break; } // APPEND
                case (byte)'e': { var items = PopToMark(); AsList(Peek()).AddRange(items); break; } // APPENDS
                case (byte)'b': Pop(); Peek(); break;                          // BUILD: object state (e.g. a state_dict's _metadata) is not needed
                case (byte)'0': Pop(); break;                                  // POP
                case (byte)'1': PopToMark(); break;                            // POP_MARK
                case (byte)'2': Push(Peek()); break;                           // DUP
                default: throw new PickleException($"unsupported pickle opcode 0x{op:x2} at byte {stream.Position - 1}");
            }
        }
    }

    private object Global(string module, string name)
    {
        var g = new PickleGlobal(module, name);
        return allowGlobal(g) ? g : throw new PickleException($"refers to the Python global '{g}', which a weights file should not need (only tensors, storages and dicts are read)");
    }

    private object? Call(object? callable, object? args)
    {
        if (callable is not PickleGlobal g) throw new PickleException("REDUCE on something that is not a global");
        if (args is not object?[] tuple) throw new PickleException($"REDUCE of {g} without an argument tuple");
        return call(g, tuple);
    }

    private object? Memo(long key) => _memo.TryGetValue(key, out var v) ? v : throw new PickleException($"memo key {key} was never stored");

    private void Push(object? value) => _stack.Add(value);

    private object? Peek() => _stack.Count > 0 && (_marks.Count == 0 || _marks.Peek() < _stack.Count)
        ? _stack[^1] : throw new PickleException("stack underflow");

    private object? Pop()
    {
        var v = Peek();
        _stack.RemoveAt(_stack.Count - 1);
        return v;
    }

    private List<object?> PopToMark()
    {
        if (_marks.Count == 0) throw new PickleException("no MARK on the stack");
        int start = _marks.Pop();
        var items = _stack.GetRange(start, _stack.Count - start);
        _stack.RemoveRange(start, _stack.Count - start);
        return items;
    }

    private static PickleDict AsDict(object? o) => o as PickleDict ?? throw new PickleException("SETITEM(S) on something that is not a dict");
    private static List<object?> AsList(object? o) => o as List<object?> ?? throw new PickleException("APPEND(S) on something that is not a list");
    private static string AsString(object? o) => o as string ?? throw new PickleException("STACK_GLOBAL needs two strings");

    // Dict keys: strings and ints (long); BigInteger/bool/tuples are not hashable the same way in C#, and state_dicts never use them.
    private static object Key(object? k) => k is string or long ? k : throw new PickleException($"dict key of type {k?.GetType().Name ?? "None"}");

    private static object Long(byte[] bytes)
    {
        var value = new BigInteger(bytes, isUnsigned: false, isBigEndian: false);
        return value >= long.MinValue && value <= long.MaxValue ? (long)value : value;
    }

    private string Utf8(int length) => Encoding.UTF8.GetString(ReadBytes(length));

    private int ReadLength(int width)
    {
        var b = ReadBytes(width);
        ulong n = width switch
        {
            1 => b[0],
            4 => BinaryPrimitives.ReadUInt32LittleEndian(b),
            _ => BinaryPrimitives.ReadUInt64LittleEndian(b),
        };
        if (n > (ulong)(stream.Length - stream.Position) || n > int.MaxValue) throw new PickleException($"a string of {n} bytes runs past the end of the data");
        return (int)n;
    }

    private string ReadLine()
    {
        var sb = new StringBuilder();
        for (byte b = ReadByte(); b != (byte)'\n'; b = ReadByte())
        {
            if (sb.Length >= 512) throw new PickleException("GLOBAL name longer than 512 bytes");
            sb.Append((char)b);
        }
        return sb.ToString();
    }

    private byte ReadByte()
    {
        int b = stream.ReadByte();
        return b >= 0 ? (byte)b : throw new PickleException("the pickle ends early (truncated?)");
    }

    private byte[] ReadBytes(int n)
    {
        var buffer = new byte[n];
        stream.ReadExactlyOrThrow(buffer);
        return buffer;
    }
}

internal static class StreamReadExtensions
{
    /// <summary>Fills <paramref name="buffer"/> or throws <see cref="PickleException"/> when the stream ends first.</summary>
    public static void ReadExactlyOrThrow(this Stream stream, Span<byte> buffer)
    {
        try { stream.ReadExactly(buffer); }
        catch (EndOfStreamException) { throw new PickleException("the data ends early (truncated?)"); }
    }
}
