using Scorpius.Consistency.Tests.Validators;
using Xunit;

namespace Scorpius.Consistency.Tests;

public class RunTemplateValidatorTests
{
    [Fact]
    public void Dapr_yaml_uses_only_known_fields_and_existing_paths() => Problems.AssertNone(RunTemplateValidator.Validate(RepoPaths.Root));

    [Theory]
    [InlineData("    appPort: 8004\n", "    appPort: 8004\n    appHealthPath: /health/live\n", "apps[4] (notifications): unknown field 'appHealthPath'")]
    [InlineData("common:\n", "common:\n  componentsPath: ./components\n", "common: unknown field 'componentsPath'")]
    [InlineData("version: 1\n", "version: 1\nname: scorpius\nport: 1\n", "(top level): unknown field 'port'")]
    [InlineData("  resourcesPaths:\n    - ./components\n", "  resourcesPath: ./components\n", "common: field 'resourcesPath' is deprecated")]
    [InlineData("version: 1\n", "", "required field 'version' is missing or 0")]
    [InlineData("version: 1\n", "version: 0\n", "required field 'version' is missing or 0")]
    [InlineData("    appPort: 8000\n", "    appPort: \"8000\"\n", "apps[0] (wallet-guard): field 'appPort' must be int")]
    [InlineData("  enableAppHealthCheck: true", "  enableAppHealthCheck: \"true\"", "common: field 'enableAppHealthCheck' must be bool")]
    [InlineData("    command: [\"dotnet\", \"run\", \"--no-build\"]\n    configFilePath: ../../components/config/dashboard.yaml", "    command: dotnet run\n    configFilePath: ../../components/config/dashboard.yaml", "apps[6] (dashboard): field 'command' must be list of string")]
    [InlineData("    appDirPath: ./services/Scorpius.Reporting\n", "", "apps[5] (reporting): required field 'appDirPath' is missing")]
    [InlineData("./services/Scorpius.Reporting", "./services/Scorpius.Reports", "apps[5] (reporting): appDirPath './services/Scorpius.Reports' does not exist")]
    [InlineData("configFilePath: ../../components/config/workflows.yaml", "configFilePath: ./components/config/workflows.yaml", "apps[7] (workflows): configFilePath './components/config/workflows.yaml' does not exist")]
    [InlineData("    - ./components\n", "    - ./component\n", "common: resourcesPaths entry './component' does not exist")]
    [InlineData("daprdLogDestination: file", "daprdLogDestination: stdout", "daprdLogDestination 'stdout' is not one of console, file, fileAndConsole")]
    [InlineData("    appPort: 8010\n", "    appPort: 8010\n    containerImagePullPolicy: Sometimes\n", "containerImagePullPolicy 'Sometimes' is not one of Always, Never, IfNotPresent")]
    [InlineData("apps:\n", "apps: []\nunused:\n", "'apps' lists no app")]
    public void A_broken_copy_is_reported(string oldText, string newText, string expected)
    {
        using var repo = TempRepo.With("dapr.yaml", oldText, newText);
        Problems.AssertReported(RunTemplateValidator.Validate(repo.Root), "dapr.yaml", expected);
    }
}
