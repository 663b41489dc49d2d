using Scorpius.ChainMonitor;
using Scorpius.WalletGuard.Assessments;

namespace Scorpius.WalletGuard.Monitoring;

/// <summary>
/// Assesses what the monitor saw as <c>POST /v1/assessments</c> would, for the wallet's tenant
/// (<see cref="AssessmentService.AssessObservedAsync"/>). A failure (the broker, the wallet's actor) propagates: the
/// block is not checkpointed and the next poll sees the transaction again, under the same assessment id.
/// </summary>
public sealed partial class MonitorAssessmentSink(AssessmentService assessments, ILogger<MonitorAssessmentSink> logger) : IObservedTransactionSink
{
    public async Task HandleAsync(ObservedTransaction transaction, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        var result = await assessments.AssessObservedAsync(transaction, cancellationToken);
        var wallet = transaction.Wallet;
        if (result is null)
        {
            LogWalletGone(logger, transaction.TxHash, wallet.TenantId, wallet.WalletId);
            return;
        }
        LogAssessed(logger, transaction.TxHash, transaction.BlockNumber, wallet.TenantId, wallet.WalletId,
            result["verdict"]?.GetValue<string>() ?? "?", result["policy"]?["action"]?.GetValue<string>() ?? "?");
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Mined transaction {TxHash} (block {Block}) of wallet {TenantId}/{WalletId}: {Verdict}, policy {Action}")]
    private static partial void LogAssessed(ILogger logger, string txHash, long block, string tenantId, string walletId, string verdict, string action);

    [LoggerMessage(Level = LogLevel.Information, Message = "Mined transaction {TxHash} is not assessed: wallet {TenantId}/{WalletId} is no longer protected as it was")]
    private static partial void LogWalletGone(ILogger logger, string txHash, string tenantId, string walletId);
}
