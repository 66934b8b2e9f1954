# routetrend's generated texts in English (Project Fluent, https://projectfluent.org).
# Every message here has its Russian counterpart in ru.ftl (a unit test checks both hold the
# same ids). Arguments: $label, $names, ... are texts already in this language; numbers
# are formatted by ICU4X before they arrive, except counts, which also choose a plural form.

## Numbers, periods, units

percent = { $value }%
value-unit = { $value } { $unit }
quarter = { $year } Q{ $quarter }
period-range = { $from }-{ $to }
year-span = { $from }-{ $to }
year-in-text = { $year }
in-years = in { $count } { $count ->
    [one] year
   *[other] years
}
unit-kg = kg
unit-t = t
unit-count = count
unit-rate_per_100k = per 100,000
unit-ratio = ratio
unit-flag = flag
percentage-points = { $value } pp
index-points = { $value } index points
list-and = { $rest } and { $last }
segment-origin = origin
segment-transit = transit
segment-destination = destination

## Chart furniture

source-line = Source: { $source }
note-line = Note: { $note }
no-data = No data
not-on-route = Not on the route
axis-share = Share (%)
axis-title = { $measure } ({ $unit })
class-range = { $from } to { $to }
routetrend-analysis = { $citations }; routetrend analysis
map-disclaimer = The boundaries and names shown and the designations used on this map do not imply official endorsement or acceptance by the United Nations.

## Kinds of chart (alt text)

chart-line = Line chart
chart-stacked-area = Stacked area chart
chart-share-area = 100% stacked area chart
chart-bars = Grouped bar chart
chart-small-multiples = Small-multiple line charts

## Trend words

trend-increasing = increasing
trend-decreasing = decreasing
trend-none = no trend
trend-too-short = too short
test-mk = Mann-Kendall
test-hamed-rao = Hamed-Rao Mann-Kendall

## Figure notes

default-y-label = Seizures
default-source = routetrend analysis of the pipeline's inputs
default-map-legend = Seized
note-dashed-zero = Dashed outlines at zero: no data (not a zero)
note-no-data-window = No data in the window: { $names }.
note-trend-band = { $label }: shaded, the { $level } confidence interval of the Sen slope
note-drawn-faint = drawn faint
note-no-trend-line = so no trend line
note-no-trend = { $label }: no significant trend ({ $test } p = { $p }), { $drawn }
note-too-few = { $label }: too few values for a trend test, { $drawn }
note-no-change-point = { $label }: no significant change point (Pettitt p = { $p })
note-event-rule = Dashed rule at { $period }: { $label }
note-route-gap = { $period } ({ $names } missing)
note-route-coverage = { $label }: incomplete transit coverage in { $count } period(s), { $first } to { $last }
note-coverage = Totals cover the members that report; not reported for some series: { $parts }
note-incomplete-part = { $reporting } of { $total } members report in { $periods }{ $who }
note-incomplete-who = ; { $names } missing
note-incomplete = { $label }: hollow points and dotted lines are incomplete totals ({ $parts })
note-small-multiples = { $count } series, more than { $most } colours can tell apart: one panel each
note-other = Other: { $names }
series-other = Other ({ $count } series)

## Figure labels

change-point-label = change after { $period } (Pettitt p = { $p })
trend-line-label = { $label }: Sen slope { $slope } per year
trend-line-label-faint = { $label }: Sen slope { $slope } per year (not significant)
event-label = { $period }: { $label }
subtitle = { $measure } ({ $unit }), { $labels }, { $period }
subtitle-log = { $measure } ({ $unit }, log scale), { $labels }, { $period }

## Alt text of a chart

alt-start = { $kind } of { $title }, { $period }
alt-change = { $label }: { $direction ->
    [fell] fell
    [rose] rose
   *[stayed] stayed
} from { $from } in { $p0 } to { $to } in { $p1 }.
alt-only = { $label }: { $value } in { $period } only.
alt-no-data = { $label }: no data.
alt-trend = Trend of { $label }: { $trend } ({ $test } p = { $p }, n = { $n }), Sen slope { $slope } per year.
alt-fewer-members = Some totals cover fewer members in some years (see notes).
alt-marked = Marked at { $period }: { $label }.
alt-log = The value axis is logarithmic.

## Maps

measure-total = total { $span }
measure-mean = mean { $span }
measure-change = { $from } to { $to }
map-no-value = { $name } (no value for { $periods })
map-no-data = No data: { $parts }.
map-subtitle = { $measure } ({ $unit }), { $what }{ $measures }, by country of the { $route }
map-alt-start = Map of the { $route }. Origin: { $origin }
map-alt-transit = ; transit: { $transit }
map-alt-destination = ; destination: { $destination }.
map-alt-none = { $what }: no country of the route has data.
map-alt-largest-rise = { $what }: the largest rise was in { $name }, { $value }
map-alt-smallest-change = { $what }: no country of the route with data rose; the smallest change was in { $name }, { $value }
map-alt-most = { $what }: { $name } seized the most on the route, { $value }
map-alt-then = ; then { $others }
map-alt-missing = No data for { $names }.

## routetrend plot

plot-title = { $drugs } { $indicator }: { $places }
plot-source = routetrend analysis of { $file }
indicator-seizures = seizures
indicator-drug_offences = drug offences

## Report

section-findings = Main findings
section-figures = Figures
section-claims = Claims checked
section-tables = Tables
section-coverage = Data coverage
section-methods = Methods
section-provenance = Provenance
contents = Contents
figure-caption = Figure { $number }. { $what }. Source: { $source }.
figure-caption-notes = Notes: { $notes }.
heading-significant-trends = Significant trends
heading-share-changes = Share changes
column-statement = Statement
column-stated = Stated
column-computed = Computed
column-coverage = Coverage
column-verdict = Verdict
column-why = Why
column-series = Series
column-window = Window
column-n = n
column-trend = Trend
column-p = p
column-sen-slope = Sen slope
column-apc = APC (% per year)
column-notes = Notes
column-share = Share
column-periods = Periods
column-first = First
column-second = Second
column-change = Change
column-relative-change = Relative change
column-test-p = Test p
column-place = Place
column-drug = Drug
column-years = Years
column-observed = Observed
column-missing-inside = Missing inside the span
column-period = Period
findings-highlights = Highlights
findings-trends = Trends
findings-comparisons = Comparisons
findings-shares = Shares
findings-routes = Routes
findings-claims = Claims
provenance-rejected = Rejected input rows: { $count } (data/rejects.csv gives file, row, column, value and reason).
provenance-tool = Tool: { $tool }.
provenance-input = Input { $file }: sha256 { $sha256 }, { $records } records, { $kept } kept, { $rejected } rejected.
run-line = Run { $run } of pipeline { $pipeline } ({ $data }), routetrend { $version }.
run-data-all = all data
run-data-as-of = data as of { $period }
run-data-span = { $data }: observations from { $first } to { $last }
significant-trends-summary = { $significant } of the { $rows } trend rows about the pipeline's series are significant at alpha = { $alpha }; every row is in tables/trends.csv.
route-ratio-heading = { $route }: seizures in the destination ({ $destination }) over those in transit ({ $transit })
coverage-intro = Annual seizure series of the places and drugs this pipeline analyses: the years each spans, the years observed and the years missing inside its span.
