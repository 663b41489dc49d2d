using Scorpius.RiskEngine.Intel;
using Scorpius.RiskEngine.Model;

namespace Scorpius.RiskEngine.Tests.Detection;

/// <summary>A tiny in-memory intelligence source, so detector tests state exactly what is known.</summary>
internal sealed class TestIntel : IThreatIntel
{
    public Dictionary<string, List<IntelLabel>> Labels { get; } = new(StringComparer.OrdinalIgnoreCase);
    public Dictionary<string, KnownContractInfo> Known { get; } = new(StringComparer.OrdinalIgnoreCase);
    public Dictionary<string, DomainAssessment> Domains { get; } = new(StringComparer.OrdinalIgnoreCase);

    public TestIntel Flag(string address, string category = "phishing", string label = "Fake_Phishing1") => Add(address, new IntelLabel(category, label, "test-list", new DateOnly(2024, 9, 27), null));

    public TestIntel Add(string address, IntelLabel label)
    {
        if (!Labels.TryGetValue(address, out var list)) Labels[address] = list = [];
        list.Add(label);
        return this;
    }

    public TestIntel Protocol(string address, string name, string category = "router")
    {
        Known[address] = new KnownContractInfo(name, category, "test-registry");
        return this;
    }

    public IReadOnlyList<IntelLabel> Lookup(Chain chain, long? chainId, string address) => Labels.GetValueOrDefault(address) ?? [];
    public KnownContractInfo? KnownContract(long? chainId, string address) => Known.GetValueOrDefault(address);
    public DomainAssessment CheckDomain(string domainOrUrl) =>
        Domains.GetValueOrDefault(domainOrUrl) ?? new DomainAssessment(domainOrUrl, DomainStatus.Unknown, null, "not listed", null);
}
