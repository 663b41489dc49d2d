namespace Scorpius.ThreatIntel.Tests;

/// <summary>Lookups of real rows from every bundled address source.</summary>
public class AddressLookupTests
{
    private static readonly ThreatIntelIndex Index = ThreatIntelIndex.LoadBundled();

    [Theory]
    // source row (as written in the list, mixed case where it is), source name, category, label
    [InlineData("0x01e2919679362dFBC9ee1644Ba9C6da6D6245BB1", "OFAC SDN list (ETH)", "sanctioned", "OFAC SDN list (ETH)")]
    [InlineData("0x80d7bb18521acbef32d7906502ebe94928690e93", "Forta labelled datasets: Etherscan malicious labels", "phishing", "Fake_Phishing1772")]
    [InlineData("0x84d3656163005ecdec0339b502068fc8e520feb1", "Forta labelled datasets: Etherscan malicious labels", "exploit", "GnosisGuild DAOModule Exploiter")]
    [InlineData("0x83a2eb63b6cc296529468afa85dbde4a469d8b37", "Forta labelled datasets: Etherscan malicious labels", "heist", "Easyfi Hacker")]
    [InlineData("0x000000000532b45f47779fce440748893b257865", "Forta labelled datasets: phishing scams", "phishing", "Fake_Phishing3901")]
    [InlineData("0x04ae3226c80e8c04d35e6e56089345bdd06da6de", "Forta labelled datasets: malicious smart contracts (Ethereum)", "exploit", "Multichain Exploiter 10")]
    [InlineData("0x0c9ba704aaf81336c592456ca0c9c7e90946a625", "Etherscan labels (brianleect scrape)", "spam-token", "Poor_Rep19 (spam-token)")]
    [InlineData("0x13aa917d12cc4b2195308ebb3dd95e0332d64433", "Etherscan-family labels (dawsbot scrape)", "phishing", "Fake_Phishing (phish-hack)")]
    [InlineData("0x9f26ae5cd245bfeeb5926d61497550f79d9c6c1c", "Etherscan phish-hack label (dawsbot scrape)", "phishing", "Akropolis Hacker 1")]
    [InlineData("0x3f5ce5fbfe3e9af3971dd833d26ba9b5c936f0be", "Etherscan labels, benign (brianleect scrape)", "exchange", "Binance (binance)")]
    public void A_real_row_is_found_in_any_case(string address, string source, string category, string label)
    {
        foreach (var form in new[] { address, address.ToLowerInvariant(), "0x" + address[2..].ToUpperInvariant(), $"  {address} " })
        {
            var labels = Index.Lookup("ethereum", null, form);
            Assert.Contains(labels, l => l.Source == source && l.Category == category && l.Label == label);
        }
    }

    [Fact]
    public void Labels_carry_licence_and_as_of_date()
    {
        var ofac = Assert.Single(Index.Lookup("ethereum", 1, "0x01e2919679362dFBC9ee1644Ba9C6da6D6245BB1"));
        Assert.Equal(new DateOnly(2024, 9, 27), ofac.AsOf);
        Assert.StartsWith("Public domain", ofac.Licence);
        Assert.True(ofac.ChainId is null);
        Assert.False(ofac.IsMalicious);

        var forta = Index.Lookup("ethereum", 1, "0x000000000532b45f47779fce440748893b257865").First(l => l.Source.StartsWith("Forta", StringComparison.Ordinal));
        Assert.Equal(new DateOnly(2023, 1, 26), forta.AsOf);
        Assert.Equal("MIT", forta.Licence);
        Assert.True(forta.IsMalicious);
    }

    [Fact]
    public void Overlapping_sources_are_all_kept_on_one_address()
    {
        // Etherscan's phish-hack label reaches us through Forta's two files and the dawsbot scrape.
        var labels = Index.Lookup("ethereum", 1, "0x80d7bb18521acbef32d7906502ebe94928690e93");
        Assert.True(labels.Select(l => l.Source).Distinct().Count() >= 2, string.Join("; ", labels.Select(l => l.Source)));
        Assert.Equal(labels.Count, labels.Distinct().Count());
    }

    [Fact]
    public void Tornado_cash_addresses_are_delisted_with_a_note()
    {
        var labels = Index.Lookup("ethereum", 1, "0x07687e702b410Fa43f4cB4Af7FA097918ffD2730");

        var ofac = Assert.Single(labels, l => l.Source == "OFAC SDN list (ETH)");
        Assert.Equal(AddressCategories.SanctionedDelisted, ofac.Category);
        Assert.Contains("Tornado.Cash: 10,000 DAI 2", ofac.Label);
        Assert.Contains("2025-03-21", ofac.Note);
        Assert.DoesNotContain(labels, l => l.Category == AddressCategories.Sanctioned);
    }

    [Fact]
    public void Etherscan_tornado_cash_label_is_a_mixer_and_delists_the_same_ofac_entry()
    {
        // Tornado.Cash 0.1 ETH on Arbitrum: in the OFAC ETH list, absent from the mainnet-only annotation.
        var labels = Index.Lookup("ethereum", 42161, "0x84443cfd09a48af6ef360c6976c5392ac5023a1f");

        var mixer = Assert.Single(labels, l => l.Category == AddressCategories.Mixer);
        Assert.Contains("2025-03-21", mixer.Note);
        Assert.False(mixer.IsMalicious);
        var ofac = Assert.Single(labels, l => l.Source == "OFAC SDN list (ETH)");
        Assert.Equal(AddressCategories.SanctionedDelisted, ofac.Category);
        Assert.Contains("2025-03-21", ofac.Note);
    }

    [Fact]
    public void Chain_id_narrows_to_labels_seen_on_that_chain()
    {
        const string arbitrumPhisher = "0x07ac38003467d3ba54bfd4e49485af4e782f710f";
        Assert.Equal(42161, Assert.Single(Index.Lookup("ethereum", null, arbitrumPhisher)).ChainId);
        Assert.Single(Index.Lookup("ethereum", 42161, arbitrumPhisher));
        Assert.Empty(Index.Lookup("ethereum", 1, arbitrumPhisher));

        const string wintermuteExploiter = "0x4f3a120e72c76c22ae802d129f599bfdbc31cb81"; // Forta chain 10 and the dawsbot optimism scrape
        var onOptimism = Index.Lookup("ethereum", 10, wintermuteExploiter);
        Assert.Equal(2, onOptimism.Count);
        Assert.All(onOptimism, l => Assert.Equal(10, l.ChainId));
        Assert.Empty(Index.Lookup("ethereum", 1, wintermuteExploiter));
    }

    [Fact]
    public void Sanctions_hold_on_every_evm_chain()
    {
        Assert.Single(Index.Lookup("ethereum", 8453, "0x01e2919679362dFBC9ee1644Ba9C6da6D6245BB1"));
        Assert.Contains(Index.Lookup("ethereum", 56, "0x4f47bc496083c727c5fbe3ce9cdf2b0f6496270c"), l => l.Label == "OFAC SDN list (BSC)");
    }

    [Fact]
    public void Bitcoin_sanctions_match_base58_exactly_and_bech32_in_any_case()
    {
        Assert.Equal("OFAC SDN list (XBT)", Assert.Single(Index.Lookup("bitcoin", null, "123WBUDmSJv4GctdVEz6Qq6z8nXSKrJ4KX")).Label);
        Assert.Empty(Index.Lookup("bitcoin", null, "123wbudmsjv4gctdvez6qq6z8nxskrj4kx"));
        Assert.Single(Index.Lookup("bitcoin", null, "BC1Q05AKTDDF9CE4P7HH3STGSF253M4VWEU7NKHTMW"));
        Assert.Empty(Index.Lookup("ethereum", null, "123WBUDmSJv4GctdVEz6Qq6z8nXSKrJ4KX"));
    }

    [Theory]
    [InlineData("ethereum", "0x0000000000000000000000000000000000000001")]
    [InlineData("ethereum", "0x80d7bb18521acbef32d7906502ebe94928690e9")] // 39 digits
    [InlineData("ethereum", "not an address")]
    [InlineData("ethereum", "TGjVc32ig2U8TqSyMLE7kxht5NDQRoavnu")] // a Tron address in the OFAC USDT list: not an EVM one
    [InlineData("bitcoin", "1BoatSLRHtKNngkdXEeobR76b53LETtpyT")]
    public void Unknown_or_malformed_addresses_have_no_labels(string chain, string address) =>
        Assert.Empty(Index.Lookup(chain, 1, address));

    [Fact]
    public void An_unsupported_chain_is_an_argument_error() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => Index.Lookup("solana", null, "0x01e2919679362dFBC9ee1644Ba9C6da6D6245BB1"));

    [Theory]
    [InlineData(1L, "0x000000000022D473030F116dDEE9F6B43aC78BA3", "Uniswap Permit2", "permit2")]
    [InlineData(8453L, "0x000000000022d473030f116ddee9f6b43ac78ba3", "Uniswap Permit2", "permit2")]
    [InlineData(1L, "0x3fC91A3afd70395Cd496C647d5a6CC9D4B2b7FAD", "Uniswap Universal Router (v1.2)", "router")]
    [InlineData(1L, "0x66a9893cC07D91D95644AEDD05D03f95e1dBA8Af", "Uniswap Universal Router (v2; Uniswap v4)", "router")]
    [InlineData(137L, "0x00000000000000ADc04C56Bf30aC9d3c0aAF14dC", "Seaport 1.5", "marketplace")]
    [InlineData(1L, "0x1E0049783F008A0085193E00003D00cd54003c71", "OpenSea Seaport conduit", "conduit")]
    [InlineData(1L, "0x40A2aCCbd92BCA938b02010E17A5b8929b49130D", "Safe MultiSendCallOnly 1.3.0", "safe")]
    [InlineData(10L, "0x9641d764fc13c8B624c04430C7356C1C7C8102e2", "Safe MultiSendCallOnly 1.4.1", "safe")]
    [InlineData(1L, "0x7a250d5630B4cF539739dF2C5dAcb4c659F2488D", "Uniswap V2 Router02", "router")]
    [InlineData(1L, "0x68b3465833fb72A70ecDF485E0e4C7bD8665Fc45", "Uniswap SwapRouter02", "router")]
    [InlineData(42161L, "0x111111125421cA6dc452d289314280a0f8842A65", "1inch Aggregation Router v6", "router")]
    [InlineData(1L, "0xDef1C0ded9bec7F1a1670819833240f027b25EfF", "0x Exchange Proxy", "router")]
    [InlineData(1L, "0xC92E8bdf79f0507f65a392b0ab4667716BFE0110", "CoW Protocol GPv2VaultRelayer", "router")]
    [InlineData(1L, "0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48", "USDC (USDC)", "token")]
    public void Known_contracts_are_found(long chainId, string address, string name, string category)
    {
        var contract = Index.KnownContract(chainId, address);
        Assert.NotNull(contract);
        Assert.Equal(category, contract.Category);
        Assert.Equal(name, contract.Name);
        Assert.False(string.IsNullOrEmpty(contract.Source));
        Assert.False(string.IsNullOrEmpty(contract.Licence));
    }

    [Fact]
    public void Known_contracts_are_narrowed_by_chain()
    {
        const string usdc = "0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48"; // contract-map is Ethereum mainnet
        Assert.NotNull(Index.KnownContract(null, usdc));
        Assert.Null(Index.KnownContract(8453, usdc));
        const string exchangeProxy = "0xDef1C0ded9bec7F1a1670819833240f027b25EfF";
        Assert.NotNull(Index.KnownContract(137, exchangeProxy));
        Assert.Null(Index.KnownContract(10, exchangeProxy));
        Assert.Null(Index.KnownContract(1, "0x80d7bb18521acbef32d7906502ebe94928690e93"));
        Assert.Null(Index.KnownContract(1, "garbage"));
    }
}
