using System.IO.Compression;
using System.Text.Json;

namespace Scorpius.RiskEngine.Tests.Vectors;

/// <summary>Reads the third-party vectors copied under TestData/vectors (see TestData/vectors/SOURCE.md).</summary>
internal static class VectorFiles
{
    public static string Root { get; } = Path.Combine(AppContext.BaseDirectory, "TestData", "vectors");

    public static string PathOf(string relative) => Path.Combine(Root, relative.Replace('/', Path.DirectorySeparatorChar));

    public static JsonDocument Json(string relative)
    {
        var path = PathOf(relative);
        if (path.EndsWith(".gz", StringComparison.Ordinal))
        {
            using var file = File.OpenRead(path);
            using var gzip = new GZipStream(file, CompressionMode.Decompress);
            return JsonDocument.Parse(gzip);
        }

        return JsonDocument.Parse(File.ReadAllBytes(path));
    }

    public static string Text(string relative) => File.ReadAllText(PathOf(relative));

    public static byte[] Hex(string? hex)
    {
        var text = hex ?? string.Empty;
        if (text.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
        {
            text = text[2..];
        }

        return Convert.FromHexString(text);
    }
}
