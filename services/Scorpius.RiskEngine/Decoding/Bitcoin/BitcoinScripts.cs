using NBitcoin;
using NBitcoin.DataEncoders;

namespace Scorpius.RiskEngine.Decoding.Bitcoin;

/// <summary>Classifies output scripts by their byte pattern and gives their address where one exists.</summary>
internal static class BitcoinScripts
{
    public const string P2pkh = "p2pkh";
    public const string P2sh = "p2sh";
    public const string P2wpkh = "p2wpkh";
    public const string P2wsh = "p2wsh";
    public const string P2tr = "p2tr";
    public const string Anchor = "anchor";
    public const string WitnessUnknown = "witness_unknown";
    public const string P2pk = "p2pk";
    public const string Multisig = "multisig";
    public const string OpReturn = "op_return";
    public const string NonStandard = "nonstandard";

    /// <summary>
    /// The script type, named as wallets name them: p2pkh, p2sh, p2wpkh, p2wsh, p2tr, anchor (P2A), witness_unknown
    /// (a future segwit version), p2pk, multisig (bare), op_return, nonstandard.
    /// </summary>
    public static string Classify(ReadOnlySpan<byte> s)
    {
        switch (s.Length)
        {
            case 25 when s[0] == 0x76 && s[1] == 0xa9 && s[2] == 0x14 && s[23] == 0x88 && s[24] == 0xac:
                return P2pkh;
            case 23 when s[0] == 0xa9 && s[1] == 0x14 && s[22] == 0x87:
                return P2sh;
            case 22 when s[0] == 0x00 && s[1] == 0x14:
                return P2wpkh;
            case 34 when s[0] == 0x00 && s[1] == 0x20:
                return P2wsh;
            case 34 when s[0] == 0x51 && s[1] == 0x20:
                return P2tr;
            case 4 when s[0] == 0x51 && s[1] == 0x02 && s[2] == 0x4e && s[3] == 0x73:
                return Anchor;
        }

        if (IsWitnessProgram(s, out _, out _))
        {
            return WitnessUnknown;
        }

        if (s.Length > 0 && s[0] == 0x6a)
        {
            return OpReturn;
        }

        if ((s.Length == 35 && s[0] == 0x21 && s[34] == 0xac && (s[1] == 0x02 || s[1] == 0x03)) ||
            (s.Length == 67 && s[0] == 0x41 && s[66] == 0xac && s[1] == 0x04))
        {
            return P2pk;
        }

        if (s.Length >= 37 && s[^1] == 0xae && PayToMultiSigTemplate.Instance.CheckScriptPubKey(Script.FromBytesUnsafe(s.ToArray())))
        {
            return Multisig;
        }

        return NonStandard;
    }

    /// <summary>The address paying to <paramref name="script"/> of type <paramref name="type"/>, or null when there is none.</summary>
    public static string? AddressOf(ReadOnlySpan<byte> script, string type, Network network)
    {
        switch (type)
        {
            case P2pkh:
                return new KeyId(script.Slice(3, 20).ToArray()).GetAddress(network).ToString();
            case P2sh:
                return new ScriptId(script.Slice(2, 20).ToArray()).GetAddress(network).ToString();
            case P2wpkh:
            case P2wsh:
            case P2tr:
            case Anchor:
            case WitnessUnknown:
                return IsWitnessProgram(script, out var version, out var program) ? EncodeSegwit(network, version, program) : null;
            default:
                return null;
        }
    }

    /// <summary>BIP-141 witness program: a version opcode (OP_0, OP_1..OP_16) then one direct push of 2 to 40 bytes.</summary>
    public static bool IsWitnessProgram(ReadOnlySpan<byte> s, out byte version, out byte[] program)
    {
        version = 0;
        program = [];
        if (s.Length < 4 || s.Length > 42 || (s[0] != 0x00 && (s[0] < 0x51 || s[0] > 0x60)) || s[1] + 2 != s.Length)
        {
            return false;
        }

        version = s[0] == 0 ? (byte)0 : (byte)(s[0] - 0x50);
        program = s[2..].ToArray();
        return true;
    }

    /// <summary>Segwit address: bech32 for version 0 (BIP-173), bech32m for version 1 and later (BIP-350).</summary>
    private static string? EncodeSegwit(Network network, byte version, byte[] program)
    {
        var encoder = network.GetBech32Encoder(version == 0 ? Bech32Type.WITNESS_PUBKEY_ADDRESS : Bech32Type.TAPROOT_ADDRESS, false);
        if (encoder is null)
        {
            return null;
        }

        var bech32 = new Bech32Encoder(encoder.HumanReadablePart)
        {
            StrictLength = false,
        };
        return bech32.Encode(version, program);
    }
}
