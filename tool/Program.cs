// ctcdsl: the command line over any CtcDsl spec. See docs/cli.md.
using System;
using System.Collections.Generic;
using System.CommandLine;
using System.IO;
using System.Linq;
using CtcDsl.Runtime.Training;
using CtcDsl.Tool;
using CtcDsl.Tool.Commands;
using CtcDsl.Tool.Spec;

var root = Cli.Build();
var parse = root.Parse(args);
if (parse.Errors.Count > 0 && parse.Action is not System.CommandLine.Help.HelpAction)
{
    // One line per mistake, then where to read more: no wall of help text.
    foreach (var message in parse.Errors.Select(e => e.Message).Distinct()) Console.Error.WriteLine($"error: {message}");
    Console.Error.WriteLine($"usage: {Cli.Usage(parse)}   (see '{Cli.CommandLine(parse)} --help')");
    return 2;
}
try
{
    return parse.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
}
catch (SpecException e)
{
    Console.Error.WriteLine($"error: {e.Message}");
    foreach (var diagnostic in e.Diagnostics) Console.Error.WriteLine(diagnostic);
    return 1;
}
catch (Exception e) when (e is IOException or FormatException or ArgumentException or InvalidDataException or NonFiniteLossException
                              or TrainingDivergedException or UnauthorizedAccessException or KeyNotFoundException or InvalidOperationException)
{
    // What went wrong and where, on one line; CTCDSL_DEBUG=1 adds the stack trace.
    Console.Error.WriteLine($"error: {e.Message}");
    if (Environment.GetEnvironmentVariable("CTCDSL_DEBUG") == "1") Console.Error.WriteLine(e);
    return 1;
}
