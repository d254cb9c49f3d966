# The plot of bench/run.sh: gnuplot -e "dir='DATA_DIR'; out='PNG'" bench/plot.gp
# Reads percall.dat ("label" ratio), throughput.dat ("label" keepalive newconn) and
# latency.dat ("label" p50 p99) from dir.
set terminal pngcairo size 1500,1700 font "sans,10"
set output out
set multiplot layout 3,1 title "ecapturedump benchmarks (one run; see RESULTS.md)"
set style data histograms
set style fill solid 0.8 border -1
set boxwidth 0.8
set grid ytics
set key top left
set xtics rotate by 20 right noenhanced
set bmargin 9
set lmargin 22

set title "Per-call cost: extra cost / extra cost of empty entry+return perf uprobes (1 = the floor)"
set style histogram clustered gap 1
set yrange [0:*]
set ylabel "ratio"
has(f) = system("test -s '".dir."/".f."' && echo 1") eq "1"

if (has("percall.dat")) {
plot dir."/percall.dat" using 2:xtic(1) title "ratio to floor" lc rgb "#4472c4", \
     1 with lines dt 2 lc rgb "black" title "floor"
}

set title "HTTPS throughput under capture, ratio to no tracing (nginx; wrk keep-alive, ab new connections)"
set yrange [0:1.1]
if (has("throughput.dat")) {
plot dir."/throughput.dat" using 2:xtic(1) title "keep-alive (wrk)" lc rgb "#4472c4", \
     "" using 3 title "new connection per request (ab)" lc rgb "#ed7d31"
}

set title "Live latency: request sent -> its line or block at the reader (ms, log scale)"
set logscale y
set yrange [0.1:5000]
set ylabel "ms"
if (has("latency.dat")) {
plot dir."/latency.dat" using 2:xtic(1) title "p50" lc rgb "#70ad47", \
     "" using 3 title "p99" lc rgb "#c00000"
}
unset multiplot
