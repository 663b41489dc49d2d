namespace Scorpius.RiskEngine.Detectors;

/// <summary>
/// Function names that wallet drainers and "security update" phishing contracts use for the call that takes the
/// victim's coins: argument-less, capitalised (unlike Solidity convention) and usually payable. Legitimate contracts
/// almost never name functions this way, so a call to one of these on an unknown contract is a strong signal.
/// Each selector is keccak-256 of the signature (checked in tests).
/// </summary>
internal static class DrainerPatterns
{
    public static readonly IReadOnlyDictionary<uint, string> Selectors = new Dictionary<uint, string>
    {
        [0x5fba79f5] = "SecurityUpdate()",
        [0x3158952e] = "Claim()",
        [0x79372f9a] = "ClaimReward()",
        [0x12798972] = "ClaimRewards()",
        [0xb9a9d3d0] = "ClaimAirdrop()",
        [0xd9a54c04] = "ClaimAirDrop()",
        [0xa16f15c3] = "Connect()",
        [0x9cad7b18] = "Multicall()",
        [0xb9d2d32c] = "Execute()",
        [0x3ebfdaaf] = "Swap()",
        [0x34c73884] = "Mint()",
        [0x143087ee] = "Verify()",
        [0x9c9316c5] = "NetworkMerge()",
        [0x99c8055d] = "Enable()",
        [0x3f6b6f2e] = "Airdrop()",
        [0x939c0a66] = "AirDrop()",
        [0xf51ee052] = "Restore()",
        [0x207aba24] = "Migrate()",
        [0xdf358731] = "Confirm()",
        [0x59d3ce47] = "Activate()",
        [0x70e3fffe] = "Unlock()",
    };
}
