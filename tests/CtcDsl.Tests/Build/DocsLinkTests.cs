using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;
using CtcDsl.Tests.Support;
using Xunit;

namespace CtcDsl.Tests.Build;

/// <summary>
/// Every relative link in README.md, docs/ and specs/README.md points to a file or folder that exists,
/// and a link with a #fragment into a Markdown file to a heading it has (GitHub's anchors).
/// </summary>
public class DocsLinkTests
{
    [Fact]
    public void Every_relative_link_in_the_docs_resolves()
    {
        var root = RepositoryPaths.Root;
        var pages = new[] { Path.Combine(root, "README.md"), Path.Combine(root, "specs", "README.md") }
            .Concat(Directory.EnumerateFiles(Path.Combine(root, "docs"), "*.md", SearchOption.AllDirectories))
            .ToList();
        Assert.True(pages.Count >= 10, $"expected README.md, specs/README.md and the docs/ pages; found {pages.Count}");

        var broken = DocsLinks.Broken(pages, root);

        Assert.True(broken.Count == 0, "Broken links:\n" + string.Join("\n", broken));
    }

    [Fact]
    public void The_readme_links_every_docs_page()
    {
        var root = RepositoryPaths.Root;
        var linked = DocsLinks.Targets(Path.Combine(root, "README.md"))
            .Select(t => Path.GetFullPath(Path.Combine(root, t.Split('#')[0])))
            .ToHashSet(StringComparer.Ordinal);

        var missing = Directory.EnumerateFiles(Path.Combine(root, "docs"), "*.md")
            .Where(page => !linked.Contains(Path.GetFullPath(page)))
            .Select(page => Path.GetRelativePath(root, page))
            .ToList();

        Assert.True(missing.Count == 0, "README.md's Documentation table does not link: " + string.Join(", ", missing));
    }

    [Fact]
    public void The_check_finds_a_missing_file_a_missing_anchor_and_a_missing_same_page_anchor()
    {
        var folder = Directory.CreateTempSubdirectory("ctcdsl-docs-links-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(folder, "target.md"), "# Target\n\n## A heading: with `code`, commas\n\n```\n## not a heading\n```\n");
            var page = Path.Combine(folder, "page.md");
            File.WriteAllText(page, string.Join("\n",
                "# Page",
                "[fine](target.md) [fine anchor](target.md#a-heading-with-code-commas) [fine here](#page)",
                "[gone](missing.md) [bad anchor](target.md#not-a-heading) [bad here](#nowhere)",
                "`[in code](also-missing.md)` <!-- [in a comment](missing-too.md) --> [web](https://example.com/x.md)",
                "```sh",
                "[in a fence](fenced.md)",
                "```"));

            var broken = DocsLinks.Broken(new[] { page }, folder);

            Assert.Equal(3, broken.Count);
            Assert.Contains(broken, b => b.Contains("missing.md", StringComparison.Ordinal));
            Assert.Contains(broken, b => b.Contains("target.md#not-a-heading", StringComparison.Ordinal));
            Assert.Contains(broken, b => b.Contains("#nowhere", StringComparison.Ordinal));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}

/// <summary>Relative Markdown links and GitHub-style heading anchors.</summary>
internal static class DocsLinks
{
    private static readonly Regex Fence = new(@"^\s*(```|~~~).*?^\s*\1[^\n]*$", RegexOptions.Multiline | RegexOptions.Singleline);
    private static readonly Regex Comment = new(@"<!--.*?-->", RegexOptions.Singleline);
    private static readonly Regex CodeSpan = new(@"(`+).+?\1", RegexOptions.Singleline);
    private static readonly Regex Link = new(@"\]\(([^)\s]+)(?:\s+""[^""]*"")?\)");
    private static readonly Regex Heading = new(@"^#{1,6}[ \t]+(.+?)[ \t#]*$", RegexOptions.Multiline);

    /// <summary>The link targets of a Markdown file, outside code fences, code spans and HTML comments.</summary>
    public static IEnumerable<string> Targets(string page) =>
        Link.Matches(CodeSpan.Replace(Comment.Replace(Fence.Replace(File.ReadAllText(page), ""), ""), ""))
            .Select(m => m.Groups[1].Value);

    /// <summary>"page.md: target (why)" for each link of <paramref name="pages"/> that does not resolve.</summary>
    public static List<string> Broken(IEnumerable<string> pages, string root)
    {
        var broken = new List<string>();
        foreach (var page in pages)
        {
            foreach (var target in Targets(page))
            {
                if (Regex.IsMatch(target, "^[a-z][a-z0-9+.-]*:", RegexOptions.IgnoreCase)) continue; // https:, mailto:
                var hash = target.IndexOf('#');
                var path = hash < 0 ? target : target.Substring(0, hash);
                var anchor = hash < 0 ? null : Uri.UnescapeDataString(target.Substring(hash + 1));
                var file = path.Length == 0 ? page : Path.GetFullPath(Path.Combine(Path.GetDirectoryName(page)!, Uri.UnescapeDataString(path)));
                var name = Path.GetRelativePath(root, page);
                if (!File.Exists(file) && !Directory.Exists(file))
                    broken.Add($"{name}: {target} (no such file)");
                else if (anchor is not null && file.EndsWith(".md", StringComparison.OrdinalIgnoreCase) && !Anchors(file).Contains(anchor))
                    broken.Add($"{name}: {target} (no heading with that anchor in {Path.GetRelativePath(root, file)})");
            }
        }
        return broken;
    }

    /// <summary>GitHub's anchors for the headings of a Markdown file (outside code fences), duplicates numbered -1, -2, ...</summary>
    public static HashSet<string> Anchors(string file)
    {
        var anchors = new HashSet<string>(StringComparer.Ordinal);
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (Match heading in Heading.Matches(Fence.Replace(File.ReadAllText(file), "")))
        {
            var slug = Slug(heading.Groups[1].Value);
            var count = seen.GetValueOrDefault(slug);
            seen[slug] = count + 1;
            anchors.Add(count == 0 ? slug : $"{slug}-{count}");
        }
        return anchors;
    }

    /// <summary>GitHub's slug: lower case; letters, digits, '-', '_' and spaces kept (spaces become '-'); the rest dropped.</summary>
    private static string Slug(string heading)
    {
        var text = Regex.Replace(heading, @"\[([^\]]*)\]\([^)]*\)", "$1"); // a link in a heading keeps its text
        var slug = new StringBuilder();
        foreach (var c in text.ToLowerInvariant())
        {
            var category = char.GetUnicodeCategory(c);
            if (char.IsLetterOrDigit(c) || c == '_' || c == '-' || category is UnicodeCategory.NonSpacingMark or UnicodeCategory.ConnectorPunctuation) slug.Append(c);
            else if (c == ' ') slug.Append('-');
        }
        return slug.ToString();
    }
}
