using System.Text.Json;
using Scorpius.RiskEngine.Decoding;
using Scorpius.RiskEngine.Decoding.Evm;

namespace Scorpius.RiskEngine.Tests.Eip712;

/// <summary>
/// Malformed typed data is a <see cref="DecodeException"/> that names the path and the reason, never a digest of
/// something the wallet would read differently; and the edges of every atomic type encode as EIP-712 says.
/// JSON in the cases below uses single quotes for readability.
/// </summary>
public sealed class Eip712RejectionTests
{
    private const string Domain = "{'name':'Test','chainId':1}";

    [Theory]
    // unknown types
    [InlineData("undeclared struct", "{'M':[{'name':'to','type':'Persn'}]}", "{'to':{}}", "typedData.types.M.to", "unknown type \"Persn\"")]
    [InlineData("integer width not a multiple of 8", "{'M':[{'name':'v','type':'uint7'}]}", "{'v':1}", "typedData.types.M.v", "unknown type \"uint7\"")]
    [InlineData("integer wider than 256", "{'M':[{'name':'v','type':'int264'}]}", "{'v':1}", "typedData.types.M.v", "unknown type \"int264\"")]
    [InlineData("integer width 0", "{'M':[{'name':'v','type':'uint0'}]}", "{'v':1}", "typedData.types.M.v", "unknown type \"uint0\"")]
    [InlineData("integer width with a leading zero", "{'M':[{'name':'v','type':'uint08'}]}", "{'v':1}", "typedData.types.M.v", "unknown type \"uint08\"")]
    [InlineData("unsized uint (a Solidity alias, not EIP-712)", "{'M':[{'name':'v','type':'uint'}]}", "{'v':1}", "typedData.types.M.v", "unknown type \"uint\"")]
    [InlineData("bytes0", "{'M':[{'name':'v','type':'bytes0'}]}", "{'v':'0x'}", "typedData.types.M.v", "unknown type \"bytes0\"")]
    [InlineData("bytes33", "{'M':[{'name':'v','type':'bytes33'}]}", "{'v':'0x00'}", "typedData.types.M.v", "unknown type \"bytes33\"")]
    [InlineData("fixed-point", "{'M':[{'name':'v','type':'fixed128x18'}]}", "{'v':1}", "typedData.types.M.v", "unknown type \"fixed128x18\"")]
    [InlineData("function", "{'M':[{'name':'v','type':'function'}]}", "{'v':'0x'}", "typedData.types.M.v", "unknown type \"function\"")]
    [InlineData("array length with a leading zero", "{'M':[{'name':'v','type':'address[01]'}]}", "{'v':[]}", "typedData.types.M.v", "not a canonical number")]
    [InlineData("array length not a number", "{'M':[{'name':'v','type':'address[n]'}]}", "{'v':[]}", "typedData.types.M.v", "not a canonical number")]
    [InlineData("unbalanced brackets", "{'M':[{'name':'v','type':'address]'}]}", "{'v':[]}", "typedData.types.M.v", "unbalanced brackets")]
    [InlineData("type with a space", "{'M':[{'name':'v','type':'uint256 '}]}", "{'v':1}", "typedData.types.M.v", "unknown type \"uint256 \"")]
    [InlineData("unknown type in an unused struct", "{'M':[{'name':'v','type':'bool'}],'X':[{'name':'y','type':'Y'}]}", "{'v':true}", "typedData.types.X.y", "unknown type \"Y\"")]
    // malformed type definitions
    [InlineData("struct name that is not an identifier", "{'M':[{'name':'v','type':'bool'}],'Mail Box':[]}", "{'v':true}", "typedData.types.Mail Box", "not a valid struct name")]
    [InlineData("struct named like an atomic type", "{'M':[{'name':'v','type':'bool'}],'uint256':[]}", "{'v':true}", "typedData.types.uint256", "collides with an atomic type")]
    [InlineData("member name that would break encodeType", "{'M':[{'name':'a,b','type':'bool'}]}", "{'a,b':true}", "typedData.types.M[0].name", "not a valid member name")]
    [InlineData("member declared twice", "{'M':[{'name':'v','type':'bool'},{'name':'v','type':'uint8'}]}", "{'v':true}", "typedData.types.M.v", "member declared twice")]
    [InlineData("struct defined twice", "{'M':[{'name':'v','type':'bool'}],'M':[{'name':'v','type':'uint8'}]}", "{'v':true}", "typedData.types.M", "struct defined twice")]
    [InlineData("member without a type", "{'M':[{'name':'v'}]}", "{'v':true}", "typedData.types.M[0].type", "missing")]
    [InlineData("members not an array", "{'M':{'name':'v','type':'bool'}}", "{'v':true}", "typedData.types.M", "must be an array")]
    // cyclic types
    [InlineData("struct containing itself", "{'M':[{'name':'next','type':'M'}]}", "{}", "typedData.types", "cyclic type reference M → M")]
    [InlineData("struct containing an array of itself", "{'M':[{'name':'children','type':'M[]'}]}", "{'children':[]}", "typedData.types", "cyclic type reference M → M")]
    [InlineData("two structs containing each other", "{'M':[{'name':'b','type':'B'}],'B':[{'name':'m','type':'M[2]'}]}", "{}", "typedData.types", "cyclic type reference M → B → M")]
    [InlineData("cycle below the primary type", "{'M':[{'name':'b','type':'B'}],'B':[{'name':'c','type':'C'}],'C':[{'name':'b','type':'B[]'}]}", "{}", "typedData.types", "cyclic type reference B → C → B")]
    // missing and duplicated fields
    [InlineData("missing field", "{'M':[{'name':'a','type':'bool'},{'name':'b','type':'bool'}]}", "{'a':true}", "typedData.message.b", "missing field (bool b of M)")]
    [InlineData("missing nested field", "{'M':[{'name':'p','type':'P'}],'P':[{'name':'wallet','type':'address'}]}", "{'p':{'name':'x'}}", "typedData.message.p.wallet", "missing field (address wallet of P)")]
    [InlineData("null field", "{'M':[{'name':'a','type':'string'}]}", "{'a':null}", "typedData.message.a", "null is not a string")]
    [InlineData("field given twice", "{'M':[{'name':'a','type':'uint256'}]}", "{'a':1,'a':2}", "typedData.message.a", "given twice")]
    [InlineData("null array element", "{'M':[{'name':'a','type':'string[]'}]}", "{'a':['x',null]}", "typedData.message.a[1]", "null is not a string")]
    // values out of range for their type
    [InlineData("uint8 256", "{'M':[{'name':'v','type':'uint8'}]}", "{'v':256}", "typedData.message.v", "the number 256 is out of range for uint8")]
    [InlineData("negative uint", "{'M':[{'name':'v','type':'uint256'}]}", "{'v':'-1'}", "typedData.message.v", "out of range for uint256")]
    [InlineData("int8 128", "{'M':[{'name':'v','type':'int8'}]}", "{'v':'128'}", "typedData.message.v", "out of range for int8")]
    [InlineData("int8 -129", "{'M':[{'name':'v','type':'int8'}]}", "{'v':'-0x81'}", "typedData.message.v", "out of range for int8")]
    [InlineData("uint256 2^256", "{'M':[{'name':'v','type':'uint256'}]}", "{'v':'115792089237316195423570985008687907853269984665640564039457584007913129639936'}", "typedData.message.v", "out of range for uint256")]
    [InlineData("uint256 with 65 hex digits", "{'M':[{'name':'v','type':'uint256'}]}", "{'v':'0x10000000000000000000000000000000000000000000000000000000000000000'}", "typedData.message.v", "out of range for uint256")]
    [InlineData("uint160 2^160", "{'M':[{'name':'v','type':'uint160'}]}", "{'v':'0x10000000000000000000000000000000000000000'}", "typedData.message.v", "out of range for uint160")]
    [InlineData("JSON number above 2^53 - 1", "{'M':[{'name':'v','type':'uint256'}]}", "{'v':9007199254740992}", "typedData.message.v", "beyond 2^53 − 1")]
    [InlineData("JSON number in exponent form above 2^53 - 1", "{'M':[{'name':'v','type':'uint256'}]}", "{'v':1e21}", "typedData.message.v", "beyond 2^53 − 1")]
    [InlineData("fractional number", "{'M':[{'name':'v','type':'uint256'}]}", "{'v':1.5}", "typedData.message.v", "the number 1.5 is not an integer")]
    [InlineData("integer string with a space", "{'M':[{'name':'v','type':'uint256'}]}", "{'v':' 1'}", "typedData.message.v", "expected an integer")]
    [InlineData("empty integer string", "{'M':[{'name':'v','type':'uint256'}]}", "{'v':''}", "typedData.message.v", "expected an integer")]
    [InlineData("boolean for an integer", "{'M':[{'name':'v','type':'uint256'}]}", "{'v':true}", "typedData.message.v", "expected an integer")]
    // bytesN of the wrong length and malformed hex
    [InlineData("bytes4 given 3 bytes", "{'M':[{'name':'v','type':'bytes4'}]}", "{'v':'0x010203'}", "typedData.message.v", "bytes4 needs exactly 4 bytes, got 3")]
    [InlineData("bytes32 given 33 bytes", "{'M':[{'name':'v','type':'bytes32'}]}", "{'v':'0x000000000000000000000000000000000000000000000000000000000000000000'}", "typedData.message.v", "bytes32 needs exactly 32 bytes, got 33")]
    [InlineData("bytes1 given nothing", "{'M':[{'name':'v','type':'bytes1'}]}", "{'v':'0x'}", "typedData.message.v", "bytes1 needs exactly 1 bytes, got 0")]
    [InlineData("odd number of hex digits", "{'M':[{'name':'v','type':'bytes'}]}", "{'v':'0x123'}", "typedData.message.v", "even number of digits for bytes")]
    [InlineData("bytes without 0x", "{'M':[{'name':'v','type':'bytes'}]}", "{'v':'1234'}", "typedData.message.v", "expected 0x-hex")]
    [InlineData("bytes not hex", "{'M':[{'name':'v','type':'bytes2'}]}", "{'v':'0xzzzz'}", "typedData.message.v", "expected 0x-hex")]
    // other malformed values
    [InlineData("short address", "{'M':[{'name':'v','type':'address'}]}", "{'v':'0x1234'}", "typedData.message.v", "expected a 20-byte 0x-hex address")]
    [InlineData("address as a number", "{'M':[{'name':'v','type':'address'}]}", "{'v':1}", "typedData.message.v", "expected a 20-byte 0x-hex address")]
    [InlineData("bool as a string", "{'M':[{'name':'v','type':'bool'}]}", "{'v':'false'}", "typedData.message.v", "expected true or false for bool")]
    [InlineData("bool as a number", "{'M':[{'name':'v','type':'bool'}]}", "{'v':0}", "typedData.message.v", "expected true or false for bool")]
    [InlineData("string as a number", "{'M':[{'name':'v','type':'string'}]}", "{'v':5}", "typedData.message.v", "expected a string")]
    [InlineData("struct as a string", "{'M':[{'name':'p','type':'P'}],'P':[]}", "{'p':'x'}", "typedData.message.p", "expected an object for struct P")]
    [InlineData("array as an object", "{'M':[{'name':'v','type':'bool[]'}]}", "{'v':{}}", "typedData.message.v", "expected an array for bool[]")]
    [InlineData("fixed array too long", "{'M':[{'name':'v','type':'bool[2]'}]}", "{'v':[true,false,true]}", "typedData.message.v", "bool[2] needs exactly 2 elements, got 3")]
    [InlineData("inner fixed array too short", "{'M':[{'name':'v','type':'uint8[2][]'}]}", "{'v':[[1,2],[3]]}", "typedData.message.v[1]", "uint8[2] needs exactly 2 elements, got 1")]
    [InlineData("bad value deep in arrays of structs", "{'M':[{'name':'ps','type':'P[][1]'}],'P':[{'name':'w','type':'address[]'}]}", "{'ps':[[{'w':[]},{'w':['0x00']}]]}", "typedData.message.ps[0][1].w[0]", "20-byte")]
    [InlineData("unknown primary type", "{'N':[]}", "{}", "typedData.primaryType", "unknown primary type \"M\"")]
    public void RejectsWithPathAndReason(string reason, string types, string message, string path, string expected)
    {
        var error = Assert.Throws<DecodeException>(() => Digest(types, "M", message));
        Assert.StartsWith($"EIP-712 {path}: ", error.Message, StringComparison.Ordinal);
        Assert.True(error.Message.Contains(expected, StringComparison.Ordinal), $"{reason}: \"{error.Message}\" lacks \"{expected}\"");
    }

    [Theory]
    [InlineData("domain field ethers does not know", "{'name':'Test','foo':1}", "typedData.domain.foo", "unknown domain field")]
    [InlineData("domain field given twice", "{'name':'Test','name':'Other'}", "typedData.domain.name", "given twice")]
    [InlineData("domain chainId out of range", "{'chainId':'-1'}", "typedData.domain.chainId", "out of range for uint256")]
    [InlineData("domain salt of the wrong length", "{'salt':'0x01'}", "typedData.domain.salt", "bytes32 needs exactly 32 bytes, got 1")]
    [InlineData("domain verifyingContract not an address", "{'verifyingContract':'USDC'}", "typedData.domain.verifyingContract", "20-byte")]
    public void RejectsBadInferredDomains(string reason, string domain, string path, string expected)
    {
        var error = Assert.Throws<DecodeException>(() => Digest("{'M':[]}", "M", "{}", domain));
        Assert.StartsWith($"EIP-712 {path}: ", error.Message, StringComparison.Ordinal);
        Assert.True(error.Message.Contains(expected, StringComparison.Ordinal), $"{reason}: \"{error.Message}\" lacks \"{expected}\"");
    }

    [Fact]
    public void DeclaredDomainTypeIsEnforced()
    {
        var types = "{'EIP712Domain':[{'name':'name','type':'string'},{'name':'chainId','type':'uint256'}],'M':[]}";
        var error = Assert.Throws<DecodeException>(() => Digest(types, "M", "{}", "{'name':'Test'}"));
        Assert.StartsWith("EIP-712 typedData.domain.chainId: missing field", error.Message, StringComparison.Ordinal);
        // Domain members the declared type leaves out are not signed, so they do not change the digest.
        Assert.Equal(Digest(types, "M", "{}", "{'name':'Test','chainId':1}"), Digest(types, "M", "{}", "{'name':'Test','chainId':1,'verifyingContract':'0x0000000000000000000000000000000000000001'}"));
    }

    [Theory]
    [InlineData("{'types':{'M':[]},'primaryType':'M','domain':{}}", "typedData.message: missing")]
    [InlineData("{'types':[],'primaryType':'M','domain':{},'message':{}}", "typedData.types: must be an object")]
    [InlineData("{'types':{'M':[]},'primaryType':1,'domain':{},'message':{}}", "typedData.primaryType: must be a string")]
    [InlineData("{'types':{'M':[]},'primaryType':'M','domain':{},'message':{},'message':{}}", "typedData.message: given twice")]
    [InlineData("{'types':{'EIP712Domain':[]},'primaryType':'EIP712Domain','domain':{},'message':{}}", "typedData.primaryType: EIP712Domain as the primary type")]
    [InlineData("[]", "typedData: must be an object")]
    public void RejectsMalformedRequests(string json, string expected)
    {
        using var document = JsonDocument.Parse(json.Replace('\'', '"'));
        var error = Assert.Throws<DecodeException>(() => Eip712Hasher.SigningDigest(document.RootElement));
        Assert.StartsWith("EIP-712 " + expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NestingDeeperThan16LevelsIsRejected()
    {
        // Arrays: uint8[]…[] with n dimensions holding one element at the bottom.
        static string Nested(int n) => new string('[', n) + "1" + new string(']', n);
        static string Dims(int n) => "uint8" + string.Concat(Enumerable.Repeat("[]", n));
        Assert.StartsWith("0x", Digest($"{{'M':[{{'name':'v','type':'{Dims(16)}'}}]}}", "M", $"{{'v':{Nested(16)}}}"), StringComparison.Ordinal);
        // 16 dimensions one struct down: the innermost array sits 17 levels below the primary struct.
        var error = Assert.Throws<DecodeException>(() =>
            Digest($"{{'W':[{{'name':'m','type':'M'}}],'M':[{{'name':'v','type':'{Dims(16)}'}}]}}", "W", $"{{'m':{{'v':{Nested(16)}}}}}"));
        Assert.StartsWith($"EIP-712 typedData.message.m.v{string.Concat(Enumerable.Repeat("[0]", 15))}: nesting deeper than 16 levels", error.Message, StringComparison.Ordinal);
        // A type with 17 dimensions is refused outright, whatever the data.
        error = Assert.Throws<DecodeException>(() => Digest($"{{'M':[{{'name':'v','type':'{Dims(17)}'}}]}}", "M", "{'v':[]}"));
        Assert.StartsWith("EIP-712 typedData.types.M.v: type \"uint8[][]", error.Message, StringComparison.Ordinal);
        Assert.Contains("more than 16 array dimensions", error.Message, StringComparison.Ordinal);

        // Structs: S0 { S1 s } … S(n-1) { S(n) s }, S(n) { bool b }.
        static (string Types, string Message) Chain(int n)
        {
            var types = string.Join(',', Enumerable.Range(0, n).Select(i => $"'S{i}':[{{'name':'s','type':'S{i + 1}'}}]")) + $",'S{n}':[{{'name':'b','type':'bool'}}]";
            return ($"{{{types}}}", string.Concat(Enumerable.Repeat("{'s':", n)) + "{'b':true}" + new string('}', n));
        }

        var (types16, message16) = Chain(16);
        Assert.StartsWith("0x", Digest(types16, "S0", message16), StringComparison.Ordinal);
        var (types17, message17) = Chain(17);
        error = Assert.Throws<DecodeException>(() => Digest(types17, "S0", message17));
        Assert.StartsWith($"EIP-712 typedData.message{string.Concat(Enumerable.Repeat(".s", 17))}: nesting deeper than 16 levels", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AnUnpairedSurrogateIsRejected()
    {
        using var document = JsonDocument.Parse("""{"types":{"M":[{"name":"v","type":"string"}]},"primaryType":"M","domain":{},"message":{"v":"\ud800"}}""");
        var error = Assert.Throws<DecodeException>(() => Eip712Hasher.SigningDigest(document.RootElement));
        Assert.StartsWith("EIP-712 typedData.message.v: ", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("uint8", "255", "00000000000000000000000000000000000000000000000000000000000000ff")]
    [InlineData("uint8", "'0x'", "0000000000000000000000000000000000000000000000000000000000000000")]
    [InlineData("uint256", "'115792089237316195423570985008687907853269984665640564039457584007913129639935'", "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff")]
    [InlineData("uint256", "'0x00000000000000000000000000000000000000000000000000000000000000000001'", "0000000000000000000000000000000000000000000000000000000000000001")]
    [InlineData("uint64", "1e3", "00000000000000000000000000000000000000000000000000000000000003e8")]
    [InlineData("uint64", "9007199254740991", "000000000000000000000000000000000000000000000000001fffffffffffff")]
    [InlineData("int8", "-128", "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff80")]
    [InlineData("int8", "'127'", "000000000000000000000000000000000000000000000000000000000000007f")]
    [InlineData("int16", "'-0x10'", "fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff0")]
    [InlineData("int256", "'-57896044618658097711785492504343953926634992332820282019728792003956564819968'", "8000000000000000000000000000000000000000000000000000000000000000")]
    [InlineData("int256", "-1", "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff")]
    [InlineData("bool", "true", "0000000000000000000000000000000000000000000000000000000000000001")]
    [InlineData("bytes4", "'0xDEADbeef'", "deadbeef00000000000000000000000000000000000000000000000000000000")]
    [InlineData("address", "'0XCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCC'", "000000000000000000000000cccccccccccccccccccccccccccccccccccccccc")]
    [InlineData("bytes", "'0x'", "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470")] // keccak256("")
    [InlineData("string", "''", "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470")]
    [InlineData("uint8[]", "[]", "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470")]
    public void AtomicEdgesEncodeAsEip712Says(string type, string value, string word)
    {
        using var types = JsonDocument.Parse($"{{'M':[{{'name':'v','type':'{type}'}}]}}".Replace('\'', '"'));
        using var data = JsonDocument.Parse($"{{'v':{value}}}".Replace('\'', '"'));
        var encoded = Eip712Hasher.EncodeData("M", types.RootElement, data.RootElement);
        Assert.Equal(64, encoded.Length);
        Assert.Equal(word, Convert.ToHexStringLower(encoded.AsSpan(32)));
    }

    private static string Digest(string types, string primaryType, string message, string domain = Domain)
    {
        using var document = JsonDocument.Parse(
            $"{{'types':{types},'primaryType':'{primaryType}','domain':{domain},'message':{message}}}".Replace('\'', '"'));
        return Eip712Hasher.SigningDigest(document.RootElement);
    }
}
