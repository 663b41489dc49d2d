namespace Scorpius.Ledger.Merkle;

/// <summary>
/// Standard base64 (RFC 4648 §4) accepted only in its one canonical spelling: no whitespace, correct padding, zero
/// unused bits. Convert.FromBase64String alone would accept several spellings of the same bytes, so a changed
/// character in a proof or signature could go unnoticed.
/// </summary>
public static class StrictBase64
{
    public static byte[] Decode(string text, string what)
    {
        byte[] bytes;
        try { bytes = Convert.FromBase64String(text); }
        catch (FormatException) { throw new LedgerVerificationException($"{what} is not base64"); }
        if (!string.Equals(Convert.ToBase64String(bytes), text, StringComparison.Ordinal)) throw new LedgerVerificationException($"{what} is not canonical base64");
        return bytes;
    }
}
