// Issue 20's reproducer, with TorchSharp alone (no CtcDsl code), so that it can go upstream as is.
//
// A strided conv1d with 26 input channels gives NaN outputs from finite inputs and weights, more
// often after a GRU has run: libtorch 2.10's oneDNN convolution reorders the weights into a layout
// padded to 32 input channels, in a buffer from c10's CPU allocator, and never writes the padded
// lanes (docs/native-memory.md). Whatever the previous owner of that heap block left there is
// multiplied by the input's zero padding; a NaN left there makes the output NaN.
//
//   dotnet run -c Release --project bench/ConvNanRepro -- [iterations] [gru|lstm|linear|none] [--junk-fill|--zero-fill]
//
// --junk-fill sets c10's own FLAGS_caffe2_cpu_allocator_do_junk_fill (every CPU allocation filled
// with NaNs): the fault then shows on every machine, every run. --zero-fill sets
// FLAGS_caffe2_cpu_allocator_do_zero_fill (what CtcDsl does): never. Exit code 1 when a NaN was seen.
using System;
using System.Linq;
using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;

var positional = args.Where(a => !a.StartsWith("--", StringComparison.Ordinal)).ToArray();
int iterations = positional.Length > 0 ? int.Parse(positional[0]) : 20;
string after = positional.Length > 1 ? positional[1] : "gru";
random.manual_seed(1);
if (args.Contains("--junk-fill")) SetAllocatorFlag("FLAGS_caffe2_cpu_allocator_do_junk_fill");
if (args.Contains("--zero-fill")) SetAllocatorFlag("FLAGS_caffe2_cpu_allocator_do_zero_fill");

if (args.Contains("--check"))
{
    // Besides NaN: are the finite outputs right? Against the same convolution as unfold + einsum in float64.
    foreach (var (cin, cout, k, stride) in new[] { (26, 128, 5, 2), (26, 128, 5, 1), (13, 128, 5, 2), (32, 128, 5, 2), (26, 128, 1, 1), (40, 64, 3, 1), (161, 32, 11, 2) })
    {
        using var scope = NewDisposeScope();
        var c = nn.Conv1d(cin, cout, k, stride: stride, padding: k / 2);
        var x = randn(32, cin, 137);
        var y = c.forward(x).to(float64);
        var columns = nn.functional.pad(x.to(float64), new long[] { k / 2, k / 2 }).unfold(2, k, stride);
        var reference = einsum("bctk,ock->bot", columns, c.weight!.to(float64)) + c.bias!.to(float64).view(1, -1, 1);
        var error = (y - reference).abs().nan_to_num(1e30).max().item<double>();
        Console.WriteLine($"conv1d {cin}->{cout}, kernel {k}, stride {stride}: max |oneDNN - float64 reference| = {error:E2} (outputs up to {reference.abs().max().item<double>():F2})");
    }
    return 0;
}
var conv = nn.Conv1d(26, 128, 5, stride: 2, padding: 2);
var gru = nn.GRU(128, 128, 1, batchFirst: true);
var lstm = nn.LSTM(128, 128, 1, batchFirst: true);
var linear = nn.Linear(128, 128);
var rng = new Random(1);
int failures = 0;
for (int i = 0; i < iterations; i++)
{
    using var scope = NewDisposeScope();
    int t = rng.Next(50, 401);
    var x = randn(32, 26, t);
    var y = nn.functional.relu(conv.forward(x));
    long nan = y.isnan().sum().item<long>();
    bool finite = x.isfinite().all().item<bool>() && conv.weight!.isfinite().all().item<bool>() && conv.bias!.isfinite().all().item<bool>();
    if (nan > 0) failures++;
    Console.WriteLine($"iteration {i,2}: T {t,3}, conv output NaN in {nan,6} of {y.numel()} elements (inputs and weights finite: {finite})");
    var h = y.transpose(1, 2);
    Tensor? o = after switch
    {
        "gru" => gru.forward(h, null).Item1,
        "lstm" => lstm.forward(h, null).Item1,
        "linear" => linear.forward(h),
        _ => null,
    };
    o?.sum().backward();
}
Console.WriteLine($"{after}: conv output held NaN in {failures} of {iterations} iterations");
return failures == 0 ? 0 : 1;

// c10's flags are plain C++ globals exported by libc10 (already loaded by the first torch call).
static void SetAllocatorFlag(string name)
{
    var library = NativeLibrary.Load(OperatingSystem.IsWindows() ? "c10.dll" : OperatingSystem.IsMacOS() ? "libc10.dylib" : "libc10.so");
    Marshal.WriteByte(NativeLibrary.GetExport(library, name), 1);
}
