using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using System.Numerics;
using System.Text;
using System.Text.Json;

namespace Scorpius.RiskEngine.Decoding.Evm;

/// <summary>
/// EIP-712 hashing (https://eips.ethereum.org/EIPS/eip-712): encodeType, typeHash, encodeData, hashStruct and the
/// signing digest keccak256("\x19\x01" ‖ domainSeparator ‖ hashStruct(message)) a wallet signs for
/// <c>eth_signTypedData_v4</c>. Checked against every ethers.js EIP-712 test case and against Nethereum.
/// <para>
/// Strict on purpose: anything a wallet could read differently from the signer is rejected with a
/// <see cref="DecodeException"/> naming the path and the reason — unknown or non-canonical types (<c>uint</c>,
/// <c>uint7</c>, <c>bytes33</c>, <c>address[01]</c>), cyclic types, nesting over <see cref="MaxDepth"/>, a missing,
/// null or duplicated field, a value out of range for its type, a bytesN of the wrong length, a bool that is not a
/// JSON boolean, a JSON number beyond 2^53 − 1 (JavaScript wallets would round it). Members a type does not declare
/// are ignored, as EIP-712 says: they are not signed.
/// </para>
/// </summary>
public static class Eip712Hasher
{
    /// <summary>Struct and array levels allowed below the primary struct.</summary>
    public const int MaxDepth = 16;

    private const string DomainTypeName = "EIP712Domain";
    private const string NotUnicode = "is not valid Unicode (an unpaired surrogate)";
    private const long MaxSafeInteger = 9007199254740991; // 2^53 − 1, JavaScript's Number.MAX_SAFE_INTEGER
    private const int StackLimit = 512;

    private static readonly BigInteger[] PowersOfTwo = [.. Enumerable.Range(0, 257).Select(n => BigInteger.One << n)];
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private static readonly TypeInfo AddressType = new(Kind.Address, "address");
    private static readonly TypeInfo BoolType = new(Kind.Bool, "bool");
    private static readonly TypeInfo StringType = new(Kind.String, "string");
    private static readonly TypeInfo BytesType = new(Kind.Bytes, "bytes");
    private static readonly TypeInfo[] UintTypes = [.. Enumerable.Range(1, 32).Select(i => new TypeInfo(Kind.Uint, $"uint{i * 8}", i * 8))];
    private static readonly TypeInfo[] IntTypes = [.. Enumerable.Range(1, 32).Select(i => new TypeInfo(Kind.Int, $"int{i * 8}", i * 8))];
    private static readonly TypeInfo[] FixedBytesTypes = [.. Enumerable.Range(1, 32).Select(i => new TypeInfo(Kind.FixedBytes, $"bytes{i}", i))];

    /// <summary>The domain fields ethers infers, in this order, when <c>types.EIP712Domain</c> is absent.</summary>
    private static readonly (string Name, string Type)[] DomainFields =
        [("name", "string"), ("version", "string"), ("chainId", "uint256"), ("verifyingContract", "address"), ("salt", "bytes32")];

    /// <summary>keccak256(encodeData(<paramref name="primaryType"/>, <paramref name="data"/>)).</summary>
    public static byte[] HashStruct(string primaryType, JsonElement types, JsonElement data)
    {
        var schema = Schema.Parse(types, "types");
        var hash = new byte[32];
        new Encoder(primaryType).HashStruct(schema.Primary(primaryType, "primaryType"), data, depth: 0, hash);
        return hash;
    }

    /// <summary>
    /// EIP-712 encodeData: typeHash ‖ enc(member₁) ‖ … ‖ enc(memberₙ), one 32-byte word each, before hashing.
    /// Error paths start at <paramref name="primaryType"/> for the data and at <c>types</c> for the definitions.
    /// </summary>
    public static byte[] EncodeData(string primaryType, JsonElement types, JsonElement data)
    {
        var schema = Schema.Parse(types, "types");
        var type = schema.Primary(primaryType, "primaryType");
        var encoded = new byte[32 * (type.Fields.Length + 1)];
        new Encoder(primaryType).EncodeStruct(type, data, depth: 0, encoded);
        return encoded;
    }

    /// <summary>
    /// The 0x-hex digest a wallet signs for the typed data <c>{types, primaryType, domain, message}</c>. The domain
    /// type is <c>types.EIP712Domain</c> when declared, otherwise inferred from the domain fields present (name,
    /// version, chainId, verifyingContract, salt, in that order; null ones left out) as ethers does.
    /// </summary>
    public static string SigningDigest(JsonElement typedData)
    {
        if (typedData.ValueKind != JsonValueKind.Object)
            throw new DecodeException($"EIP-712 typedData: must be an object with types, primaryType, domain and message, got {Describe(typedData)}");
        var types = Member(typedData, "types", "typedData", JsonValueKind.Object);
        var primary = MemberText(typedData, "primaryType", "typedData");
        var domain = Member(typedData, "domain", "typedData", JsonValueKind.Object);
        var message = Member(typedData, "message", "typedData", JsonValueKind.Object);

        var schema = Schema.Parse(types, "typedData.types");
        if (primary == DomainTypeName)
            throw new DecodeException("EIP-712 typedData.primaryType: EIP712Domain as the primary type signs the domain alone, and wallets disagree on that digest");
        var primaryType = schema.Primary(primary, "typedData.primaryType");
        var domainType = schema.TryGet(DomainTypeName) ?? Schema.InferDomain(domain, "typedData.domain");

        Span<byte> preimage = stackalloc byte[66];
        preimage[0] = 0x19;
        preimage[1] = 0x01;
        new Encoder("typedData.domain").HashStruct(domainType, domain, depth: 0, preimage.Slice(2, 32));
        new Encoder("typedData.message").HashStruct(primaryType, message, depth: 0, preimage.Slice(34, 32));
        Span<byte> digest = stackalloc byte[32];
        Keccak256.Hash(preimage, digest);
        return "0x" + Convert.ToHexStringLower(digest);
    }

    /// <summary>encodeType of <paramref name="primaryType"/>: itself, then the struct types it references, sorted by name.</summary>
    internal static string EncodeType(string primaryType, JsonElement types) =>
        Schema.Parse(types, "types").Primary(primaryType, "primaryType").EncodedType;

    private static JsonElement Member(JsonElement obj, string name, string path, JsonValueKind kind)
    {
        JsonElement? found = null;
        foreach (var property in obj.EnumerateObject())
        {
            if (!property.NameEquals(name)) continue;
            if (found is not null) throw new DecodeException($"EIP-712 {path}.{name}: given twice");
            found = property.Value;
        }
        if (found is not { } value || value.ValueKind == JsonValueKind.Null)
            throw new DecodeException($"EIP-712 {path}.{name}: missing");
        return value.ValueKind == kind
            ? value
            : throw new DecodeException($"EIP-712 {path}.{name}: must be {(kind == JsonValueKind.Object ? "an object" : "a string")}, got {Describe(value)}");
    }

    /// <summary>A member definition's <c>name</c> and <c>type</c>, each present once as a valid string; false otherwise.</summary>
    private static bool TryNameAndType(JsonElement member, out string name, out string type)
    {
        name = type = null!;
        if (member.ValueKind != JsonValueKind.Object) return false;
        foreach (var property in member.EnumerateObject())
        {
            var isName = property.NameEquals("name");
            if (!isName && !property.NameEquals("type")) continue;
            if ((isName ? name : type) is not null || property.Value.ValueKind != JsonValueKind.String || TextOf(property.Value) is not { } text) return false;
            if (isName) name = text;
            else type = text;
        }
        return name is not null && type is not null;
    }

    private static string MemberText(JsonElement obj, string name, string path) =>
        TextOf(Member(obj, name, path, JsonValueKind.String)) ?? throw new DecodeException($"EIP-712 {path}.{name}: the string {NotUnicode}");

    /// <summary>The string, or null where JSON escapes leave an unpaired surrogate (System.Text.Json refuses to read it).</summary>
    private static string? TextOf(JsonElement value)
    {
        try
        {
            return value.GetString();
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }

    private static string? NameOf(JsonProperty property)
    {
        try
        {
            return property.Name;
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }

    private static string Describe(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "the string " + Preview(value),
        JsonValueKind.Number => "the number " + Preview(value),
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Null => "null",
        _ => "nothing",
    };

    private static string Preview(JsonElement value)
    {
        var raw = value.GetRawText();
        return raw.Length <= 70 ? raw : raw[..66] + "…" + (value.ValueKind == JsonValueKind.String ? "\"" : "");
    }

    private static string Cut(string text) => text.Length <= 64 ? text : text[..61] + "…";

    private enum Kind : byte { Address, Bool, Uint, Int, FixedBytes, Bytes, String, Struct, Array }

    /// <summary>A resolved member type. <see cref="Size"/>: bits for (u)int, bytes for bytesN, length of a fixed array (−1 dynamic).</summary>
    private sealed class TypeInfo(Kind kind, string text, int size = 0, StructType? structType = null, TypeInfo? element = null)
    {
        public Kind Kind { get; } = kind;
        public string Text { get; } = text;
        public int Size { get; } = size;
        public StructType? Struct { get; } = structType;
        public TypeInfo? Element { get; } = element;
    }

    private sealed class Field(string name, string typeText)
    {
        public string Name { get; } = name;
        public string TypeText { get; } = typeText;
        public TypeInfo Type { get; set; } = null!;
    }

    private sealed class StructType
    {
        private string? definition;
        private string? encodedType;
        private byte[]? typeHash;

        public StructType(string name, Field[] fields, Dictionary<string, int> index)
        {
            Name = name;
            Fields = fields;
            Index = index;
            AsType = new TypeInfo(Kind.Struct, name, structType: this);
        }

        public string Name { get; }
        public Field[] Fields { get; }
        public Dictionary<string, int> Index { get; }
        public TypeInfo AsType { get; }

        /// <summary><c>Name(type₁ name₁,…,typeₙ nameₙ)</c>, member types exactly as declared (they are canonical once resolved).</summary>
        public string Definition => definition ??= BuildDefinition();

        /// <summary>Depth-first search mark for the cycle check: 0 unvisited, 1 on the current path, 2 done.</summary>
        public int Mark { get; set; }

        /// <summary>encodeType: this struct's definition, then every struct it references (transitively), sorted by name.</summary>
        public string EncodedType => encodedType ??= BuildEncodedType();

        public byte[] TypeHash => typeHash ??= Keccak256.Hash(Encoding.ASCII.GetBytes(EncodedType));

        private string BuildDefinition()
        {
            var text = new StringBuilder(Name).Append('(');
            for (var i = 0; i < Fields.Length; i++)
            {
                if (i > 0) text.Append(',');
                text.Append(Fields[i].TypeText).Append(' ').Append(Fields[i].Name);
            }
            return text.Append(')').ToString();
        }

        private string BuildEncodedType()
        {
            List<StructType>? referenced = null;
            var pending = new Stack<StructType>();
            pending.Push(this);
            while (pending.TryPop(out var current))
            {
                foreach (var field in current.Fields)
                {
                    var type = field.Type;
                    while (type.Kind == Kind.Array) type = type.Element!;
                    if (type.Struct is not { } child || child == this || (referenced?.Contains(child) ?? false)) continue;
                    (referenced ??= []).Add(child);
                    pending.Push(child);
                }
            }
            if (referenced is null) return Definition;
            referenced.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
            var text = new StringBuilder(Definition);
            foreach (var child in referenced) text.Append(child.Definition);
            return text.ToString();
        }
    }

    /// <summary>The struct types of one request, every member type resolved and the reference graph checked for cycles.</summary>
    private sealed class Schema
    {
        private readonly Dictionary<string, StructType> structs = new(StringComparer.Ordinal);
        private readonly string path;

        private Schema(string path) => this.path = path;

        public StructType? TryGet(string name) => structs.GetValueOrDefault(name);

        public StructType Primary(string name, string where) =>
            structs.TryGetValue(name, out var type)
                ? type
                : throw new DecodeException($"EIP-712 {where}: unknown primary type \"{Cut(name)}\" (not declared in {path})");

        public static Schema Parse(JsonElement types, string path)
        {
            if (types.ValueKind != JsonValueKind.Object)
                throw new DecodeException($"EIP-712 {path}: must be an object of struct definitions, got {Describe(types)}");
            var schema = new Schema(path);
            foreach (var definition in types.EnumerateObject())
            {
                var name = NameOf(definition) ?? throw new DecodeException($"EIP-712 {path}: a struct name {NotUnicode}");
                if (!IsIdentifier(name)) throw schema.Error(name, $"\"{Cut(name)}\" is not a valid struct name");
                if (ParseAtomic(name) is not null || name is "function" or "tuple" || IsNumericLike(name))
                    throw schema.Error(name, "struct name collides with an atomic type");
                if (schema.structs.ContainsKey(name)) throw schema.Error(name, "struct defined twice");
                var members = definition.Value;
                if (members.ValueKind != JsonValueKind.Array)
                    throw schema.Error(name, $"must be an array of {{name, type}} members, got {Describe(members)}");
                var fields = new Field[members.GetArrayLength()];
                var index = new Dictionary<string, int>(fields.Length, StringComparer.Ordinal);
                var i = 0;
                foreach (var member in members.EnumerateArray())
                {
                    if (!TryNameAndType(member, out var fieldName, out var fieldType))
                    {
                        // Slow path, for the message only: these throw with the member's path.
                        var at = $"{path}.{Cut(name)}[{i}]";
                        if (member.ValueKind != JsonValueKind.Object)
                            throw new DecodeException($"EIP-712 {at}: must be an object {{name, type}}, got {Describe(member)}");
                        fieldName = MemberText(member, "name", at);
                        fieldType = MemberText(member, "type", at);
                    }
                    if (!IsIdentifier(fieldName))
                        throw new DecodeException($"EIP-712 {path}.{Cut(name)}[{i}].name: \"{Cut(fieldName)}\" is not a valid member name");
                    if (!index.TryAdd(fieldName, i)) throw schema.Error(name, "member declared twice", fieldName);
                    fields[i++] = new Field(fieldName, fieldType);
                }
                schema.structs.Add(name, new StructType(name, fields, index));
            }
            schema.Resolve();
            return schema;
        }

        /// <summary>The domain type ethers infers from the fields present (null ones left out).</summary>
        public static StructType InferDomain(JsonElement domain, string path)
        {
            Span<bool> seen = stackalloc bool[DomainFields.Length];
            Span<bool> present = stackalloc bool[DomainFields.Length];
            seen.Clear();
            present.Clear();
            foreach (var property in domain.EnumerateObject())
            {
                var i = 0;
                while (i < DomainFields.Length && !property.NameEquals(DomainFields[i].Name)) i++;
                if (i == DomainFields.Length)
                    throw new DecodeException($"EIP-712 {path}.{Cut(NameOf(property) ?? "?")}: unknown domain field; without types.EIP712Domain only name, version, chainId, verifyingContract and salt are allowed");
                if (seen[i]) throw new DecodeException($"EIP-712 {path}.{DomainFields[i].Name}: given twice");
                seen[i] = true;
                present[i] = property.Value.ValueKind != JsonValueKind.Null;
            }
            var fields = new List<Field>(DomainFields.Length);
            var index = new Dictionary<string, int>(DomainFields.Length, StringComparer.Ordinal);
            for (var i = 0; i < DomainFields.Length; i++)
            {
                if (!present[i]) continue;
                index.Add(DomainFields[i].Name, fields.Count);
                fields.Add(new Field(DomainFields[i].Name, DomainFields[i].Type));
            }
            var schema = new Schema(path);
            var type = new StructType(DomainTypeName, [.. fields], index);
            schema.structs.Add(DomainTypeName, type);
            schema.Resolve();
            return type;
        }

        private DecodeException Error(string structName, string reason, string? member = null) =>
            new($"EIP-712 {path}.{Cut(structName)}{(member is null ? "" : "." + Cut(member))}: {reason}");

        private void Resolve()
        {
            foreach (var type in structs.Values)
            {
                foreach (var field in type.Fields) field.Type = ResolveType(field.TypeText, type, field);
            }
            CheckAcyclic();
        }

        private TypeInfo ResolveType(string text, StructType owner, Field field)
        {
            var end = text.Length;
            Span<int> lengths = stackalloc int[MaxDepth];
            var dimensions = 0;
            while (end > 0 && text[end - 1] == ']')
            {
                var open = text.LastIndexOf('[', end - 1);
                if (open < 0) throw Error(owner.Name, $"unknown type \"{Cut(text)}\" (unbalanced brackets)", field.Name);
                var digits = text.AsSpan(open + 1, end - open - 2);
                var length = -1;
                if (!digits.IsEmpty && (digits.ContainsAnyExceptInRange('0', '9') || (digits.Length > 1 && digits[0] == '0')
                                        || !int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out length)))
                    throw Error(owner.Name, $"unknown type \"{Cut(text)}\" (array length \"{Cut(digits.ToString())}\" is not a canonical number)", field.Name);
                if (dimensions == MaxDepth)
                    throw Error(owner.Name, $"type \"{Cut(text)}\" has more than {MaxDepth} array dimensions (nesting deeper than {MaxDepth} levels)", field.Name);
                lengths[dimensions++] = length;
                end = open;
            }
            var baseName = end == text.Length ? text : text[..end];
            var type = ParseAtomic(baseName)
                       ?? structs.GetValueOrDefault(baseName)?.AsType
                       ?? throw Error(owner.Name, $"unknown type \"{Cut(text)}\"{UnknownHint(baseName)}", field.Name);
            // lengths[0] is the outermost dimension (the last bracket); build from the innermost outwards.
            for (var i = dimensions - 1; i >= 0; i--)
            {
                var closing = text.IndexOf(']', type.Text.Length);
                type = new TypeInfo(Kind.Array, i == 0 ? text : text[..(closing + 1)], lengths[i], element: type);
            }
            return type;
        }

        private void CheckAcyclic()
        {
            // Iterative depth-first search over the struct references (StructType.Mark: 1 on the current path, 2 done).
            var stack = new Stack<(StructType Type, int Next)>();
            foreach (var start in structs.Values)
            {
                if (start.Mark != 0) continue;
                stack.Push((start, 0));
                start.Mark = 1;
                while (stack.TryPop(out var frame))
                {
                    if (frame.Next == frame.Type.Fields.Length)
                    {
                        frame.Type.Mark = 2;
                        continue;
                    }
                    stack.Push((frame.Type, frame.Next + 1));
                    var type = frame.Type.Fields[frame.Next].Type;
                    while (type.Kind == Kind.Array) type = type.Element!;
                    if (type.Struct is not { } child) continue;
                    if (child.Mark == 0)
                    {
                        child.Mark = 1;
                        stack.Push((child, 0));
                    }
                    else if (child.Mark == 1)
                    {
                        var cycle = stack.Reverse().Select(f => f.Type.Name).SkipWhile(n => n != child.Name).Append(child.Name);
                        throw new DecodeException($"EIP-712 {path}: cyclic type reference {string.Join(" → ", cycle)}");
                    }
                }
            }
        }

        private static string UnknownHint(string name)
        {
            if (name.StartsWith("uint", StringComparison.Ordinal) || name.StartsWith("int", StringComparison.Ordinal))
                return " (integer types are uint8…uint256 and int8…int256 in steps of 8)";
            if (name.StartsWith("bytes", StringComparison.Ordinal)) return " (fixed-size byte types are bytes1…bytes32)";
            return string.Empty;
        }

        private static bool IsNumericLike(string name) =>
            (name.StartsWith("uint", StringComparison.Ordinal) && name.Length > 4 && !name.AsSpan(4).ContainsAnyExceptInRange('0', '9'))
            || (name.StartsWith("int", StringComparison.Ordinal) && name.Length > 3 && !name.AsSpan(3).ContainsAnyExceptInRange('0', '9'))
            || (name.StartsWith("bytes", StringComparison.Ordinal) && name.Length > 5 && !name.AsSpan(5).ContainsAnyExceptInRange('0', '9'));
    }

    private static TypeInfo? ParseAtomic(string name)
    {
        switch (name)
        {
            case "address": return AddressType;
            case "bool": return BoolType;
            case "string": return StringType;
            case "bytes": return BytesType;
        }
        if (name.StartsWith("bytes", StringComparison.Ordinal) && Width(name.AsSpan(5)) is >= 1 and <= 32 and var bytes)
            return FixedBytesTypes[bytes - 1];
        if (name.StartsWith("uint", StringComparison.Ordinal) && Width(name.AsSpan(4)) is >= 8 and <= 256 and var ubits && ubits % 8 == 0)
            return UintTypes[ubits / 8 - 1];
        if (name.StartsWith("int", StringComparison.Ordinal) && Width(name.AsSpan(3)) is >= 8 and <= 256 and var bits && bits % 8 == 0)
            return IntTypes[bits / 8 - 1];
        return null;
    }

    /// <summary>A canonical decimal width (no sign, no leading zero), or −1.</summary>
    private static int Width(ReadOnlySpan<char> digits) =>
        digits.Length is > 0 and <= 3 && digits[0] != '0' && !digits.ContainsAnyExceptInRange('0', '9')
            ? int.Parse(digits, NumberStyles.None, CultureInfo.InvariantCulture)
            : -1;

    private static bool IsIdentifier(string name)
    {
        if (name.Length is 0 or > 256) return false;
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            var ok = c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or '_' or '$' || (i > 0 && c is >= '0' and <= '9');
            if (!ok) return false;
        }
        return true;
    }

    /// <summary>Encodes values against resolved types, keeping the JSON path (built only for an error message).</summary>
    private sealed class Encoder(string root)
    {
        private readonly List<(string? Name, int Index)> path = [];

        /// <summary>hashStruct: keccak256 of encodeData, into <paramref name="hash"/>.</summary>
        public void HashStruct(StructType type, JsonElement value, int depth, Span<byte> hash)
        {
            var length = 32 * (type.Fields.Length + 1);
            byte[]? rented = null;
            var encoded = length <= StackLimit ? stackalloc byte[length] : (rented = ArrayPool<byte>.Shared.Rent(length)).AsSpan(0, length);
            try
            {
                EncodeStruct(type, value, depth, encoded);
                Keccak256.Hash(encoded, hash);
            }
            finally
            {
                if (rented is not null) ArrayPool<byte>.Shared.Return(rented);
            }
        }

        /// <summary>encodeData into <paramref name="encoded"/> (32 × (members + 1) bytes).</summary>
        public void EncodeStruct(StructType type, JsonElement value, int depth, Span<byte> encoded)
        {
            if (value.ValueKind != JsonValueKind.Object) throw Error($"expected an object for struct {type.Name}, got {Describe(value)}");
            var fields = type.Fields;
            var values = ArrayPool<JsonElement>.Shared.Rent(Math.Max(fields.Length, 1));
            Span<bool> seen = fields.Length <= StackLimit ? stackalloc bool[fields.Length] : new bool[fields.Length];
            seen.Clear();
            try
            {
                foreach (var property in value.EnumerateObject())
                {
                    var name = NameOf(property) ?? throw Error($"a member name {NotUnicode}");
                    if (!type.Index.TryGetValue(name, out var i)) continue; // undeclared members are not signed
                    if (seen[i])
                    {
                        path.Add((name, 0));
                        throw Error("given twice (a wallet may show one value and sign the other)");
                    }
                    seen[i] = true;
                    values[i] = property.Value;
                }

                type.TypeHash.CopyTo(encoded);
                for (var i = 0; i < fields.Length; i++)
                {
                    path.Add((fields[i].Name, 0));
                    if (!seen[i]) throw Error($"missing field ({fields[i].TypeText} {fields[i].Name} of {type.Name})");
                    if (values[i].ValueKind == JsonValueKind.Null) throw Error($"null is not a {fields[i].TypeText}");
                    EncodeValue(fields[i].Type, values[i], depth + 1, encoded.Slice(32 * (i + 1), 32));
                    path.RemoveAt(path.Count - 1);
                }
            }
            finally
            {
                ArrayPool<JsonElement>.Shared.Return(values, clearArray: true);
            }
        }

        /// <summary>enc(value) for one member or array element: a 32-byte word.</summary>
        private void EncodeValue(TypeInfo type, JsonElement value, int depth, Span<byte> word)
        {
            switch (type.Kind)
            {
                case Kind.Address:
                    Address(value, word);
                    return;
                case Kind.Bool:
                    word.Clear();
                    word[31] = value.ValueKind switch
                    {
                        JsonValueKind.True => 1,
                        JsonValueKind.False => 0,
                        _ => throw Error($"expected true or false for bool, got {Describe(value)}"),
                    };
                    return;
                case Kind.Uint:
                case Kind.Int:
                    Integer(type, value, word);
                    return;
                case Kind.FixedBytes:
                    FixedBytes(type, value, word);
                    return;
                case Kind.Bytes:
                    HashBytes(value, word);
                    return;
                case Kind.String:
                    HashString(value, word);
                    return;
                case Kind.Struct:
                    if (depth > MaxDepth) throw Error($"nesting deeper than {MaxDepth} levels");
                    HashStruct(type.Struct!, value, depth, word);
                    return;
                case Kind.Array:
                    HashArray(type, value, depth, word);
                    return;
                default:
                    throw new InvalidOperationException($"unhandled EIP-712 kind {type.Kind}");
            }
        }

        /// <summary>keccak256 of the concatenated element encodings (fixed and dynamic arrays alike).</summary>
        private void HashArray(TypeInfo type, JsonElement value, int depth, Span<byte> word)
        {
            if (depth > MaxDepth) throw Error($"nesting deeper than {MaxDepth} levels");
            if (value.ValueKind != JsonValueKind.Array) throw Error($"expected an array for {type.Text}, got {Describe(value)}");
            var count = value.GetArrayLength();
            if (type.Size >= 0 && count != type.Size) throw Error($"{type.Text} needs exactly {type.Size} elements, got {count}");
            var length = 32 * count;
            byte[]? rented = null;
            var elements = length <= StackLimit ? stackalloc byte[length] : (rented = ArrayPool<byte>.Shared.Rent(length)).AsSpan(0, length);
            try
            {
                var i = 0;
                foreach (var element in value.EnumerateArray())
                {
                    path.Add((null, i));
                    if (element.ValueKind == JsonValueKind.Null) throw Error($"null is not a {type.Element!.Text}");
                    EncodeValue(type.Element!, element, depth + 1, elements.Slice(32 * i, 32));
                    path.RemoveAt(path.Count - 1);
                    i++;
                }
                Keccak256.Hash(elements, word);
            }
            finally
            {
                if (rented is not null) ArrayPool<byte>.Shared.Return(rented);
            }
        }

        private void Address(JsonElement value, Span<byte> word)
        {
            if (value.ValueKind == JsonValueKind.String)
            {
                var text = Text(value);
                word[..12].Clear();
                if (text.Length == 42 && text[0] == '0' && text[1] is 'x' or 'X'
                    && Convert.FromHexString(text.AsSpan(2), word[12..], out _, out var written) == OperationStatus.Done && written == 20)
                    return;
            }
            throw Error($"expected a 20-byte 0x-hex address, got {Describe(value)}");
        }

        private void FixedBytes(TypeInfo type, JsonElement value, Span<byte> word)
        {
            var hex = HexDigits(value, type.Text);
            if (hex.Length != 2 * type.Size) throw Error($"{type.Text} needs exactly {type.Size} bytes, got {hex.Length / 2}");
            word.Clear();
            if (Convert.FromHexString(hex, word, out _, out _) != OperationStatus.Done) throw Error(NotHex(value, type.Text));
        }

        private void HashBytes(JsonElement value, Span<byte> word)
        {
            var hex = HexDigits(value, "bytes");
            var length = hex.Length / 2;
            byte[]? rented = null;
            var bytes = length <= StackLimit ? stackalloc byte[length] : (rented = ArrayPool<byte>.Shared.Rent(length)).AsSpan(0, length);
            try
            {
                if (Convert.FromHexString(hex, bytes, out _, out _) != OperationStatus.Done) throw Error(NotHex(value, "bytes"));
                Keccak256.Hash(bytes, word);
            }
            finally
            {
                if (rented is not null) ArrayPool<byte>.Shared.Return(rented);
            }
        }

        /// <summary>The hex digits after 0x of an even-length 0x-hex string (the digits themselves checked on decoding).</summary>
        private ReadOnlySpan<char> HexDigits(JsonElement value, string typeName)
        {
            if (value.ValueKind == JsonValueKind.String)
            {
                var text = Text(value);
                if (text.Length >= 2 && text.Length % 2 == 0 && text[0] == '0' && text[1] is 'x' or 'X') return text.AsSpan(2);
            }
            throw Error(NotHex(value, typeName));
        }

        private static string NotHex(JsonElement value, string typeName) =>
            $"expected 0x-hex with an even number of digits for {typeName}, got {Describe(value)}";

        private void HashString(JsonElement value, Span<byte> word)
        {
            if (value.ValueKind != JsonValueKind.String) throw Error($"expected a string, got {Describe(value)}");
            var text = Text(value);
            var length = StrictUtf8.GetMaxByteCount(text.Length);
            byte[]? rented = null;
            var bytes = length <= StackLimit ? stackalloc byte[length] : (rented = ArrayPool<byte>.Shared.Rent(length)).AsSpan(0, length);
            try
            {
                Keccak256.Hash(bytes[..StrictUtf8.GetBytes(text, bytes)], word);
            }
            catch (EncoderFallbackException)
            {
                throw Error($"the string {NotUnicode}");
            }
            finally
            {
                if (rented is not null) ArrayPool<byte>.Shared.Return(rented);
            }
        }

        private void Integer(TypeInfo type, JsonElement value, Span<byte> word)
        {
            var signed = type.Kind == Kind.Int;
            if (SmallInteger(type, value) is { } small)
            {
                // Fast path: fits in a long; in range when it survives a shift down to the type's width.
                var bits = signed ? type.Size - 1 : type.Size;
                var inRange = signed
                    ? bits >= 63 || (small >> bits) is 0 or -1
                    : small >= 0 && (bits >= 63 || small >> bits == 0);
                if (!inRange) throw Error($"{Describe(value)} is out of range for {type.Text}");
                word[..24].Fill(small < 0 ? (byte)0xff : (byte)0);
                BinaryPrimitives.WriteInt64BigEndian(word[24..], small);
                return;
            }

            var number = value.ValueKind == JsonValueKind.String ? IntegerText(Text(value), type) : JsonNumber(value);
            var limit = PowersOfTwo[signed ? type.Size - 1 : type.Size]; // values lie in [−limit, limit) signed, [0, limit) unsigned
            if (number >= limit || number < (signed ? -limit : BigInteger.Zero)) throw Error($"{Describe(value)} is out of range for {type.Text}");
            var twos = number.Sign < 0 ? number + PowersOfTwo[256] : number;
            word.Clear();
            twos.TryWriteBytes(word[(32 - twos.GetByteCount(isUnsigned: true))..], out _, isUnsigned: true, isBigEndian: true);
        }

        /// <summary>A safe JSON integer or a short decimal string as a long; null when the general path must decide.</summary>
        private long? SmallInteger(TypeInfo type, JsonElement value)
        {
            switch (value.ValueKind)
            {
                case JsonValueKind.Number:
                    return value.TryGetInt64(out var number) && number is >= -MaxSafeInteger and <= MaxSafeInteger ? number : null;
                case JsonValueKind.String:
                    var text = Text(value);
                    return text.Length is > 0 and <= 18 && (text[0] is >= '0' and <= '9' || (text[0] == '-' && text.Length > 1))
                           && !text.AsSpan(1).ContainsAnyExceptInRange('0', '9')
                        ? long.Parse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture)
                        : null;
                default:
                    throw Error($"expected an integer (JSON number, decimal or 0x-hex string) for {type.Text}, got {Describe(value)}");
            }
        }

        private BigInteger JsonNumber(JsonElement value)
        {
            if (value.TryGetDouble(out var real) && double.IsFinite(real) && Math.Floor(real) != real)
                throw Error($"{Describe(value)} is not an integer");
            if (!value.TryGetInt64(out _) && value.TryGetDouble(out real) && double.IsFinite(real) && Math.Abs(real) <= MaxSafeInteger)
                return new BigInteger(real); // 1e3, 5.0: integral and exact in JavaScript
            throw Error($"{Describe(value)} is beyond 2^53 − 1, where JavaScript wallets lose precision; give it as a decimal or 0x-hex string");
        }

        private BigInteger IntegerText(string text, TypeInfo type)
        {
            var span = text.AsSpan();
            var negative = span.StartsWith("-");
            if (negative) span = span[1..];
            var hex = span.StartsWith("0x") || span.StartsWith("0X");
            if (hex) span = span[2..];
            if ((!hex && span.IsEmpty) || (hex ? span.ContainsAnyExcept("0123456789abcdefABCDEF") : span.ContainsAnyExceptInRange('0', '9')))
                throw Error($"expected an integer (JSON number, decimal or 0x-hex string) for {type.Text}, got the string \"{Cut(text)}\"");
            span = span.TrimStart('0');
            if (span.Length > (hex ? 64 : 78)) throw Error($"the string \"{Cut(text)}\" is out of range for {type.Text}");
            var magnitude = span.IsEmpty
                ? BigInteger.Zero
                : hex
                    ? BigInteger.Parse("0" + span.ToString(), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture)
                    : BigInteger.Parse(span, NumberStyles.None, CultureInfo.InvariantCulture);
            return negative ? -magnitude : magnitude;
        }

        private string Text(JsonElement value) => TextOf(value) ?? throw Error($"the string {NotUnicode}");

        private DecodeException Error(string reason)
        {
            var text = new StringBuilder("EIP-712 ").Append(root);
            foreach (var (name, index) in path)
            {
                if (name is null) text.Append('[').Append(index).Append(']');
                else text.Append('.').Append(Cut(name));
            }
            return new DecodeException(text.Append(": ").Append(reason).ToString());
        }
    }
}
