using System.Text.Json.Nodes;
using NJsonSchema;
using Scorpius.Cli;

namespace Scorpius.RiskEngine.Tests.Cli;

/// <summary>The `scorpius assess` contract: JSON Lines in, one result per line out in order, exit codes, formats.</summary>
public sealed class CliContractTests
{
    private static string Example(string file) => Scorpius.Testing.RepoPaths.Combine("examples", file);

    private static async Task<(int Code, string Out, string Err)> Run(string stdin, params string[] args)
    {
        using var input = new StringReader(stdin);
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await CliApp.RunAsync(args, input, output, error);
        return (code, output.ToString(), error.ToString());
    }

    [Fact]
    public async Task Every_example_line_gets_one_result_in_order_with_its_id()
    {
        var lines = (await File.ReadAllLinesAsync(Example("requests.jsonl"))).Where(l => l.Length > 0).ToArray();
        var (code, output, error) = await Run("", "assess", "--input", Example("requests.jsonl"), "--output", "-");

        Assert.Equal(0, code);
        Assert.Equal("", error);
        var results = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonNode.Parse(l)!.AsObject()).ToArray();
        Assert.Equal(lines.Length, results.Length);
        for (var i = 0; i < lines.Length; i++)
        {
            Assert.Equal(JsonNode.Parse(lines[i])!["id"]!.GetValue<string>(), results[i]["id"]!.GetValue<string>());
            Assert.Contains(results[i]["verdict"]!.GetValue<string>(), new[] { "benign", "warning", "malicious" });
            Assert.InRange(results[i]["score"]!.GetValue<int>(), 0, 100);
        }
        string Verdict(string id) => results.Single(r => r["id"]!.GetValue<string>() == id)["verdict"]!.GetValue<string>();
        Assert.Equal("warning", Verdict("approve-unknown-unlimited"));
        Assert.Equal("benign", Verdict("approve-permit2-unlimited"));
        Assert.Equal("malicious", Verdict("approve-known-phisher"));
        Assert.Equal("benign", Verdict("transfer-to-friend"));
        Assert.Equal("malicious", Verdict("transfer-to-lookalike"));
        Assert.Equal("malicious", Verdict("safe-delegatecall-unknown"));
        Assert.Equal("malicious", Verdict("eth-to-sanctioned"));
        Assert.Equal("warning", Verdict("permit-signature-no-expiry"));
        Assert.Equal("malicious", Verdict("seaport-order-for-nothing"));
        Assert.Equal("malicious", Verdict("address-sanctioned"));
        Assert.Equal("benign", Verdict("domain-real"));
        Assert.Equal("malicious", Verdict("domain-lookalike"));
        Assert.Equal("malicious", Verdict("domain-blocklisted"));
        Assert.Equal("malicious", Verdict("btc-to-sanctioned"));
        Assert.Equal("benign", Verdict("btc-psbt-payment"));
    }

    [Fact]
    public async Task A_malformed_line_is_an_error_result_and_the_run_goes_on()
    {
        var (code, output, _) = await Run(await File.ReadAllTextAsync(Example("malformed.jsonl")), "assess", "--input", "-", "--output", "-");
        Assert.Equal(0, code);
        var results = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonNode.Parse(l)!).ToArray();
        Assert.Equal(3, results.Length);
        Assert.Equal("benign", results[0]!["verdict"]!.GetValue<string>());
        Assert.Equal(("line:2", "error"), (results[1]!["id"]!.GetValue<string>(), results[1]!["verdict"]!.GetValue<string>()));
        Assert.StartsWith("malformed JSON", results[1]!["error"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(("bad-value", "error"), (results[2]!["id"]!.GetValue<string>(), results[2]!["verdict"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Fail_on_exits_one_when_a_result_reaches_that_verdict()
    {
        var benign = """{"id":"a","kind":"domain","domain":"example.org"}""" + "\n";
        var warning = Engine.AnyUnlimitedApprovalLine;
        Assert.Equal(0, (await Run(benign + warning, "assess", "--input", "-", "--output", "-", "--fail-on", "malicious")).Code);
        Assert.Equal(1, (await Run(benign + warning, "assess", "--input", "-", "--output", "-", "--fail-on", "warning")).Code);
    }

    [Theory]
    [InlineData(new[] { "assess", "--input", "/no/such/file.jsonl", "--output", "-" }, "cannot read --input")]
    [InlineData(new[] { "assess", "--output", "-" }, "--input is required")]
    [InlineData(new[] { "assess", "--input", "-", "--output", "-", "--format", "xml" }, "--format xml")]
    [InlineData(new[] { "assess", "--input", "-", "--output", "-", "--fail-on", "benign" }, "--fail-on benign")]
    [InlineData(new[] { "frobnicate" }, "usage:")]
    public async Task Unusable_arguments_or_input_exit_two_with_a_message(string[] args, string message)
    {
        var (code, output, error) = await Run("", args);
        Assert.Equal(2, code);
        Assert.Equal("", output);
        Assert.Contains(message, error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sarif_output_validates_against_the_sarif_2_1_0_schema()
    {
        var input = await File.ReadAllTextAsync(Example("requests.jsonl")) + await File.ReadAllTextAsync(Example("malformed.jsonl"));
        var (code, output, _) = await Run(input, "assess", "--input", "-", "--output", "-", "--format", "sarif");
        Assert.Equal(0, code);

        var schema = await JsonSchema.FromFileAsync(Path.Combine(AppContext.BaseDirectory, "TestData", "sarif", "sarif-schema-2.1.0.json"));
        Assert.Empty(schema.Validate(output));
        var run = JsonNode.Parse(output)!["runs"]![0]!;
        var results = run["results"]!.AsArray();
        Assert.Contains(results, r => r!["ruleId"]!.GetValue<string>() == "SAFE_DELEGATECALL" && r["level"]!.GetValue<string>() == "error");
        Assert.Contains(results, r => r!["ruleId"]!.GetValue<string>() == "ENGINE_ERROR");
        var rules = run["tool"]!["driver"]!["rules"]!.AsArray().Select(r => r!["id"]!.GetValue<string>()).ToList();
        Assert.All(results, r => Assert.Equal(r!["ruleId"]!.GetValue<string>(), rules[r["ruleIndex"]!.GetValue<int>()]));

        // The check can fail: a result without a message is rejected by the schema.
        var broken = JsonNode.Parse(output)!;
        broken["runs"]![0]!["results"]![0]!.AsObject().Remove("message");
        Assert.NotEmpty(schema.Validate(broken.ToJsonString()));
    }

    [Fact]
    public async Task Progress_goes_to_stderr_and_never_into_the_results()
    {
        var (code, output, error) = await Run("", "assess", "--input", Example("requests.jsonl"), "--output", "-", "--progress");
        Assert.Equal(0, code);
        Assert.Contains("assessed 16 requests", error, StringComparison.Ordinal);
        Assert.All(output.Split('\n', StringSplitOptions.RemoveEmptyEntries), l => Assert.StartsWith("{\"id\":", l, StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_table_is_for_people()
    {
        var (code, output, _) = await Run("", "assess", "--input", Example("requests.jsonl"), "--output", "-", "--format", "table");
        Assert.Equal(0, code);
        var rows = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("ID", rows[0], StringComparison.Ordinal);
        Assert.Contains(rows, r => r.StartsWith("safe-delegatecall-unknown", StringComparison.Ordinal) && r.Contains("malicious", StringComparison.Ordinal) && r.Contains("SAFE_DELEGATECALL (critical)", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Output_to_a_file_and_large_inputs_keep_order()
    {
        var lines = Enumerable.Range(0, 5000).Select(i => i % 3 == 0 ? $$"""{"id":"{{i}}","kind":"domain","domain":"example{{i}}.org"}""" : i % 3 == 1 ? "{broken" : Engine.AnyUnlimitedApprovalLine.Replace("\"id\":\"u\"", $"\"id\":\"{i}\"", StringComparison.Ordinal).TrimEnd('\n')).ToArray();
        var path = Path.GetTempFileName();
        try
        {
            var (code, _, _) = await Run(string.Join("\n", lines) + "\n", "assess", "--input", "-", "--output", path, "--no-progress");
            Assert.Equal(0, code);
            var results = (await File.ReadAllLinesAsync(path)).Select(l => JsonNode.Parse(l)!).ToArray();
            Assert.Equal(lines.Length, results.Length);
            for (var i = 0; i < results.Length; i++)
                Assert.Equal(i % 3 == 1 ? $"line:{i + 1}" : i.ToString(System.Globalization.CultureInfo.InvariantCulture), results[i]!["id"]!.GetValue<string>());
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static class Engine
    {
        public const string AnyUnlimitedApprovalLine =
            """{"id":"u","kind":"transaction","transaction":{"to":"0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48","data":"0x095ea7b30000000000000000000000009d5a7b2c3e4f50617283940a1b2c3d4e5f607182ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"}}""" + "\n";
    }
}
