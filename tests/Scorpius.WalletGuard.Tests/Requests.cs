using System.Text.Json.Nodes;

namespace Scorpius.WalletGuard.Tests;

/// <summary>Requests in the CLI contract (from examples/requests.jsonl) and addresses the tests use.</summary>
internal static class Requests
{
    public const string Wallet = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266";
    public const string WalletLower = "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266";
    public const string Friend = "0x70997970c51812dc3a010c7d01b50e0d17dc79c8";
    public const string LookAlike = "0x7099f1e2d3c4b5a6978877665544332217dc79c8";
    public const string UnknownSpender = "0x9d5a7b2c3e4f50617283940a1b2c3d4e5f607182";
    public const string Permit2 = "0x000000000022d473030f116ddee9f6b43ac78ba3";
    public const string Usdc = "0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48";
    public const string Unlimited = "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff";

    public static JsonObject Approve(string id, string spender, string from = WalletLower) => Transaction(id, from, Usdc, "0",
        "0x095ea7b3" + Word(spender) + Unlimited);

    public static JsonObject TokenTransfer(string id, string to, string from = WalletLower) => Transaction(id, from, Usdc, "0",
        "0xa9059cbb" + Word(to) + "000000000000000000000000000000000000000000000000000000000ee6b280");

    public static JsonObject NativeTransfer(string id, string to, string value, string from = WalletLower) => Transaction(id, from, to, value, "0x");

    public static JsonObject Transaction(string id, string from, string to, string value, string data) => new()
    {
        ["id"] = id,
        ["chain"] = "ethereum",
        ["chainId"] = 1,
        ["kind"] = "transaction",
        ["transaction"] = new JsonObject { ["from"] = from, ["to"] = to, ["value"] = value, ["data"] = data },
    };

    private static string Word(string address) => new string('0', 24) + address[2..].ToLowerInvariant();
}
