namespace Scorpius.RiskEngine.Benchmarks;

/// <summary>The request lines the benchmarks assess: examples/requests.jsonl, one line per kind, plus Bitcoin.</summary>
internal static class Corpus
{
    public static readonly string[] Lines = File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, "requests.jsonl"))
        .Where(l => !string.IsNullOrWhiteSpace(l)).ToArray();

    public static string ById(string id) =>
        Lines.FirstOrDefault(l => l.Contains($"\"id\":\"{id}\"", StringComparison.Ordinal))
        ?? throw new InvalidOperationException($"examples/requests.jsonl has no request '{id}'");

    /// <summary>The raw EIP-155 example transaction (signed legacy transfer), as hex without 0x.</summary>
    public const string RawEip155 = "f86c098504a817c800825208943535353535353535353535353535353535353535880de0b6b3a76400008025a028ef61340bd939bc2195fe537567866003e1a15d3c71ff63e1590620aa636276a067cbe9d8997f761aecb703304b3800ccf555c9f3dc64214b297fb1966a3b6d83";
}
