using System.Text;
using System.Text.Json.Nodes;
using NSec.Cryptography;
using Scorpius.Notifications.Signing;

namespace Scorpius.Notifications.Tests;

/// <summary>The signer and the customer-facing verifier against the Standard Webhooks vectors (TestData/standard-webhooks).</summary>
public sealed class SigningTests
{
    private static readonly JsonObject Vectors = Load("test-vectors.json");
    private static readonly JsonObject Ed25519Vectors = Load("ed25519-vectors.json");

    public static TheoryData<string> SignVectors => [.. Vectors["sign"]!.AsArray().Select(v => (string)v!["id"]!)];
    public static TheoryData<string> VerifyVectors => [.. Vectors["verify"]!.AsArray().Select(v => (string)v!["id"]!)];

    [Theory]
    [MemberData(nameof(SignVectors))]
    public void Signer_reproduces_the_sign_vector(string id)
    {
        var v = Vector("sign", id);
        var signature = WebhookSigner.Sign((string)v["msgId"]!, (long)v["timestamp"]!, Encoding.UTF8.GetBytes((string)v["payload"]!), [(string)v["secret"]!]);
        Assert.Equal((string)v["expected"]!, signature);
    }

    [Theory]
    [MemberData(nameof(VerifyVectors))]
    public void Verifier_decides_the_verify_vector_as_expected(string id)
    {
        var v = Vector("verify", id);
        var headers = v["headers"]!.AsObject();
        var result = WebhookVerifier.Verify(
            (string?)headers["webhook-id"], (string?)headers["webhook-timestamp"], (string?)headers["webhook-signature"],
            Encoding.UTF8.GetBytes((string)v["payload"]!), [(string)v["secret"]!], DateTimeOffset.FromUnixTimeSeconds((long)v["now"]!));

        if ((bool)v["expectValid"]!) Assert.Equal(WebhookVerification.Valid, result);
        else Assert.NotEqual(WebhookVerification.Valid, result);
    }

    [Theory]
    [InlineData("A-too-old", WebhookVerification.TimestampTooOld)]
    [InlineData("A-too-new", WebhookVerification.TimestampTooNew)]
    [InlineData("A-missing-id", WebhookVerification.MissingHeader)]
    [InlineData("A-missing-timestamp", WebhookVerification.MissingHeader)]
    [InlineData("A-missing-signature", WebhookVerification.MissingHeader)]
    [InlineData("A-non-numeric-timestamp", WebhookVerification.InvalidTimestamp)]
    [InlineData("A-payload-changed", WebhookVerification.NoMatchingSignature)]
    [InlineData("A-other-version-only", WebhookVerification.NoMatchingSignature)]
    public void Verifier_names_the_reason_a_vector_is_invalid(string id, WebhookVerification expected)
    {
        var v = Vector("verify", id);
        var headers = v["headers"]!.AsObject();
        Assert.Equal(expected, WebhookVerifier.Verify(
            (string?)headers["webhook-id"], (string?)headers["webhook-timestamp"], (string?)headers["webhook-signature"],
            Encoding.UTF8.GetBytes((string)v["payload"]!), [(string)v["secret"]!], DateTimeOffset.FromUnixTimeSeconds((long)v["now"]!)));
    }

    [Fact]
    public void Every_signature_the_signer_makes_verifies_and_the_verifier_accepts_it_at_the_tolerance_edges()
    {
        var secret = WebhookSigner.NewSecret();
        var body = "{\"type\":\"alert.raised\"}"u8.ToArray();
        const long at = 1_700_000_000;
        var signature = WebhookSigner.Sign("msg_1", at, body, [secret]);

        Assert.Equal(WebhookVerification.Valid, WebhookVerifier.Verify("msg_1", "1700000000", signature, body, [secret], DateTimeOffset.FromUnixTimeSeconds(at + 300)));
        Assert.Equal(WebhookVerification.Valid, WebhookVerifier.Verify("msg_1", "1700000000", signature, body, [secret], DateTimeOffset.FromUnixTimeSeconds(at - 300)));
        Assert.Equal(WebhookVerification.TimestampTooOld, WebhookVerifier.Verify("msg_1", "1700000000", signature, body, [secret], DateTimeOffset.FromUnixTimeSeconds(at + 301)));
        Assert.Equal(WebhookVerification.NoMatchingSignature, WebhookVerifier.Verify("msg_2", "1700000000", signature, body, [secret], DateTimeOffset.FromUnixTimeSeconds(at)));
    }

    [Theory]
    [InlineData("")]
    [InlineData("whsec_")]
    public void Empty_secrets_are_rejected(string secret)
    {
        Assert.Throws<FormatException>(() => WebhookSigner.Sign("msg_1", 1, "{}"u8, [secret]));
        Assert.Throws<FormatException>(() => WebhookVerifier.Verify("msg_1", "1", "v1,AAAA", "{}"u8, [secret], DateTimeOffset.FromUnixTimeSeconds(1)));
    }

    [Fact]
    public void Unpadded_base64_secrets_are_accepted_as_the_python_library_does()
    {
        var sign = Vector("sign", "sign-A");
        foreach (var item in Vectors["secrets"]!["unpaddedBase64AcceptedByPythonLibrary"]!.AsArray())
        {
            var signature = WebhookSigner.Sign((string)sign["msgId"]!, (long)sign["timestamp"]!, Encoding.UTF8.GetBytes((string)sign["payload"]!), [(string)item!["secret"]!]);
            Assert.Equal((string)item["signatureForSignA"]!, signature);
        }
    }

    [Fact]
    public void A_negative_timestamp_and_an_id_with_a_full_stop_are_rejected_when_signing()
    {
        Assert.Contains("-161426533", Vectors["timestampsRejectedWhenSigning"]!.AsArray().Select(t => (string)t!));
        Assert.Throws<ArgumentOutOfRangeException>(() => WebhookSigner.Sign("msg_1", -161426533, "{}"u8, [WebhookSigner.NewSecret()]));
        Assert.Throws<ArgumentException>(() => WebhookSigner.Sign("msg.1", 1, "{}"u8, [WebhookSigner.NewSecret()]));
    }

    [Theory]
    [InlineData("161426533.0")]
    [InlineData("invalid timestamp")]
    [InlineData("-161426533")]
    public void Timestamps_that_are_not_unsigned_integers_fail_verification(string timestamp) =>
        Assert.Equal(WebhookVerification.InvalidTimestamp,
            WebhookVerifier.Verify("msg_1", timestamp, "v1,AAAA", "{}"u8, [WebhookSigner.NewSecret()], DateTimeOffset.FromUnixTimeSeconds(161426533)));

    [Fact]
    public void During_a_rotation_both_keys_sign_and_either_alone_verifies()
    {
        var (oldSecret, newSecret) = (WebhookSigner.NewSecret(), WebhookSigner.NewSecret());
        var body = "{}"u8.ToArray();
        var header = WebhookSigner.Sign("msg_r", 10, body, [oldSecret, newSecret]);

        Assert.Equal(2, header.Split(' ').Length);
        Assert.All(header.Split(' '), s => Assert.StartsWith("v1,", s, StringComparison.Ordinal));
        Assert.Equal(WebhookVerification.Valid, WebhookVerifier.Verify("msg_r", "10", header, body, [oldSecret], DateTimeOffset.FromUnixTimeSeconds(10)));
        Assert.Equal(WebhookVerification.Valid, WebhookVerifier.Verify("msg_r", "10", header, body, [newSecret], DateTimeOffset.FromUnixTimeSeconds(10)));
        Assert.Equal(WebhookVerification.NoMatchingSignature,
            WebhookVerifier.Verify("msg_r", "10", header, body, [WebhookSigner.NewSecret()], DateTimeOffset.FromUnixTimeSeconds(10)));
    }

    [Fact]
    public void The_spec_header_example_carries_one_v1_and_one_v1a_entry_that_the_verifier_parses()
    {
        var example = Vectors["specExample"]!["headers"]!.AsObject();
        var entries = ((string)example["webhook-signature"]!).Split(' ');
        Assert.Equal(["v1", "v1a"], entries.Select(e => e[..e.IndexOf(',', StringComparison.Ordinal)]));
        // The spec publishes no key for its example: with unrelated keys of both kinds, both entries are read and neither matches.
        var (_, publicKey) = WebhookSigner.NewEd25519KeyPair();
        var content = ((string)Vectors["specExample"]!["contentToSign"]!).Split('.', 3)[2];
        Assert.Equal(WebhookVerification.NoMatchingSignature, WebhookVerifier.Verify(
            (string)example["webhook-id"]!, (string)example["webhook-timestamp"]!, (string)example["webhook-signature"]!,
            Encoding.UTF8.GetBytes(content), [WebhookSigner.NewSecret(), publicKey], DateTimeOffset.FromUnixTimeSeconds(1674087231)));
    }

    [Fact]
    public void NSec_reproduces_RFC_8032_test_2()
    {
        var v = Ed25519Vectors["rfc8032"]![0]!;
        using var key = Key.Import(SignatureAlgorithm.Ed25519, Convert.FromHexString((string)v["secretKeyHex"]!), KeyBlobFormat.RawPrivateKey);
        Assert.Equal((string)v["publicKeyHex"]!, Convert.ToHexStringLower(key.PublicKey.Export(KeyBlobFormat.RawPublicKey)));
        Assert.Equal((string)v["signatureHex"]!, Convert.ToHexStringLower(SignatureAlgorithm.Ed25519.Sign(key, Convert.FromHexString((string)v["messageHex"]!))));
    }

    [Fact]
    public void V1a_signature_matches_the_vector_derived_with_OpenSSL_and_verifies_with_the_public_key_only()
    {
        var v = Ed25519Vectors["v1a"]!;
        var body = Encoding.UTF8.GetBytes((string)v["payload"]!);
        var signature = WebhookSigner.Sign((string)v["msgId"]!, (long)v["timestamp"]!, body, [(string)v["privateKey"]!]);

        Assert.Equal((string)v["expected"]!, signature);
        Assert.Equal((string)v["publicKey"]!, WebhookSigner.PublicKeyOf((string)v["privateKey"]!));
        var at = DateTimeOffset.FromUnixTimeSeconds((long)v["timestamp"]!);
        Assert.Equal(WebhookVerification.Valid, WebhookVerifier.Verify((string)v["msgId"]!, $"{(long)v["timestamp"]!}", signature, body, [(string)v["publicKey"]!], at));
        Assert.Equal(WebhookVerification.NoMatchingSignature,
            WebhookVerifier.Verify((string)v["msgId"]!, $"{(long)v["timestamp"]!}", signature, [.. body, (byte)' '], [(string)v["publicKey"]!], at));
    }

    [Fact]
    public void New_keys_have_the_spec_formats_and_sizes()
    {
        var secret = WebhookSigner.NewSecret();
        Assert.StartsWith("whsec_", secret, StringComparison.Ordinal);
        Assert.Equal(32, Convert.FromBase64String(secret["whsec_".Length..]).Length);

        var (privateKey, publicKey) = WebhookSigner.NewEd25519KeyPair();
        Assert.Equal(32, Convert.FromBase64String(privateKey["whsk_".Length..]).Length);
        Assert.Equal(32, Convert.FromBase64String(publicKey["whpk_".Length..]).Length);
        Assert.Equal(publicKey, WebhookSigner.PublicKeyOf(privateKey));
        Assert.NotEqual(secret, WebhookSigner.NewSecret());
    }

    private static JsonObject Vector(string kind, string id) => Vectors[kind]!.AsArray().Single(v => (string)v!["id"]! == id)!.AsObject();

    private static JsonObject Load(string file) =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "TestData", "standard-webhooks", file)))!.AsObject();
}
