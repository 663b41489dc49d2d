using System.Text;
using Scorpius.Ledger.Canonical;

namespace Scorpius.AuditTrail.Tests.Ledger;

/// <summary>RFC 8785 (JCS), against the examples and the number table of the RFC itself.</summary>
public sealed class JsonCanonicalizerTests
{
    // RFC 8785 Appendix B: IEEE 754 bit patterns and their ECMAScript serialisation.
    [Theory]
    [InlineData("0000000000000000", "0")]
    [InlineData("8000000000000000", "0")]
    [InlineData("0000000000000001", "5e-324")]
    [InlineData("8000000000000001", "-5e-324")]
    [InlineData("7fefffffffffffff", "1.7976931348623157e+308")]
    [InlineData("ffefffffffffffff", "-1.7976931348623157e+308")]
    [InlineData("4340000000000000", "9007199254740992")]
    [InlineData("c340000000000000", "-9007199254740992")]
    [InlineData("4430000000000000", "295147905179352830000")]
    [InlineData("44b52d02c7e14af5", "9.999999999999997e+22")]
    [InlineData("44b52d02c7e14af6", "1e+23")]
    [InlineData("44b52d02c7e14af7", "1.0000000000000001e+23")]
    [InlineData("444b1ae4d6e2ef4e", "999999999999999700000")]
    [InlineData("444b1ae4d6e2ef4f", "999999999999999900000")]
    [InlineData("444b1ae4d6e2ef50", "1e+21")]
    [InlineData("3eb0c6f7a0b5ed8c", "9.999999999999997e-7")]
    [InlineData("3eb0c6f7a0b5ed8d", "0.000001")]
    [InlineData("41b3de4355555553", "333333333.3333332")]
    [InlineData("41b3de4355555554", "333333333.33333325")]
    [InlineData("41b3de4355555555", "333333333.3333333")]
    [InlineData("41b3de4355555556", "333333333.3333334")]
    [InlineData("41b3de4355555557", "333333333.33333343")]
    [InlineData("becbf647612f3696", "-0.0000033333333333333333")]
    [InlineData("43143ff3c1cb0959", "1424953923781206.2")]
    public void Numbers_serialise_as_in_RFC_8785_appendix_B(string ieee754, string expected)
    {
        var value = BitConverter.Int64BitsToDouble(Convert.ToInt64(ieee754, 16));
        Assert.Equal(expected, JsonCanonicalizer.FormatNumber(value));
        // And through the parser: the double's round-trip text, canonicalized, gives the same.
        Assert.Equal(expected, Canon(value.ToString("R", System.Globalization.CultureInfo.InvariantCulture)));
    }

    [Theory]
    [InlineData("7fffffffffffffff")]
    [InlineData("7ff0000000000000")]
    public void Non_finite_numbers_are_refused(string ieee754) =>
        Assert.Throws<CanonicalJsonException>(() => JsonCanonicalizer.FormatNumber(BitConverter.Int64BitsToDouble(Convert.ToInt64(ieee754, 16))));

    [Fact]
    public void The_RFC_8785_section_3_2_2_example()
    {
        const string input = """
            {
              "numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],
              "string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
              "literals": [null, true, false]
            }
            """;
        Assert.Equal("""{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\u000f\nA'B\"\\\\\"/"}""", Canon(input));
    }

    [Fact]
    public void The_RFC_8785_section_3_2_3_sorting_example()
    {
        const string input = """
            {
              "\u20ac": "Euro Sign",
              "\r": "Carriage Return",
              "\ufb33": "Hebrew Letter Dalet With Dagesh",
              "1": "One",
              "\ud83d\ude00": "Emoji: Grinning Face",
              "\u0080": "Control",
              "\u00f6": "Latin Small Letter O With Diaeresis"
            }
            """;
        Assert.Equal("{\"\\r\":\"Carriage Return\",\"1\":\"One\",\"\u0080\":\"Control\",\"ö\":\"Latin Small Letter O With Diaeresis\",\"€\":\"Euro Sign\",\"😀\":\"Emoji: Grinning Face\",\"\ufb33\":\"Hebrew Letter Dalet With Dagesh\"}", Canon(input));
    }

    [Fact]
    public void Nested_objects_are_sorted_and_whitespace_removed()
    {
        Assert.Equal("""{"a":{"x":[1,{"b":2,"c":3}],"y":"z"},"b":-1.5}""", Canon("""{ "b": -1.50, "a": { "y": "z", "x": [ 1.0, { "c": 3, "b": 2 } ] } }"""));
    }

    [Theory]
    [InlineData("""{"a":1,"a":2}""")]
    [InlineData("""["\ud800"]""")]
    [InlineData("""[1e400]""")]
    [InlineData("""{"a":""")]
    [InlineData("not json")]
    public void Input_that_is_not_I_JSON_is_refused(string input) =>
        Assert.Throws<CanonicalJsonException>(() => JsonCanonicalizer.Canonicalize(Encoding.UTF8.GetBytes(input)));

    private static string Canon(string json) => Encoding.UTF8.GetString(JsonCanonicalizer.Canonicalize(Encoding.UTF8.GetBytes(json)));
}
