namespace Scorpius.RiskEngine.Decoding;

/// <summary>Input that cannot be decoded: the assessment becomes verdict <c>error</c> with this message as its reason.</summary>
public sealed class DecodeException(string message, Exception? inner = null) : Exception(message, inner);
