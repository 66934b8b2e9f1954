# Тексты routetrend на русском языке (Project Fluent, https://projectfluent.org).
# Те же сообщения, что и в en.ftl. Числа форматирует ICU4X (CLDR: неразрывный пробел
# между разрядами, десятичная запятая); число $count также выбирает форму множественного
# числа по правилам CLDR (one: 1, 21; few: 2-4, 22; many: 5-20, 25; other: дроби).

## Числа, периоды, единицы

percent = { $value } %
value-unit = { $value } { $unit }
quarter = { $quarter ->
    [1] I
    [2] II
    [3] III
   *[4] IV
} кв. { $year }
period-range = { $from }–{ $to }
year-span = { $from }–{ $to } гг.
year-in-text = { $year } г.
in-years = в { $count } { $count ->
    [one] году
   *[other] годах
}
unit-kg = кг
unit-t = т
unit-count = ед.
unit-rate_per_100k = на 100 тыс. человек
unit-ratio = отношение
unit-flag = признак
percentage-points = { $value } п. п.
index-points = { $value } { $value ->
    [one] пункт
    [few] пункта
    [many] пунктов
   *[other] пункта
} индекса
list-and = { $rest } и { $last }
segment-origin = страна происхождения
segment-transit = страны транзита
segment-destination = страна назначения

## Оформление графиков

source-line = Источник: { $source }
note-line = Примечание: { $note }
no-data = Нет данных
not-on-route = Вне маршрута
axis-share = Доля (%)
axis-title = { $measure } ({ $unit })
class-range = от { $from } до { $to }
routetrend-analysis = { $citations }; анализ routetrend
map-disclaimer = Границы и названия, показанные на этой карте, и обозначения, используемые на ней, не подразумевают официального одобрения или признания со стороны Организации Объединенных Наций.

## Виды графиков (альтернативный текст)

chart-line = Линейный график
chart-stacked-area = Диаграмма с областями с накоплением
chart-share-area = Нормированная диаграмма с областями (100 %)
chart-bars = Гистограмма с группировкой
chart-small-multiples = Набор малых линейных графиков

## Тренды

trend-increasing = рост
trend-decreasing = снижение
trend-none = не выявлен
trend-too-short = ряд слишком короткий
test-mk = тест Манна — Кендалла
test-hamed-rao = тест Манна — Кендалла с поправкой Хамеда — Рао

## Примечания к рисункам

default-y-label = Изъятия
default-source = анализ routetrend по входным данным конвейера
default-map-legend = Изъято
note-dashed-zero = Пунктирный контур на уровне нуля: нет данных (а не нулевое значение)
note-no-data-window = Нет данных за период: { $names }.
note-trend-band = { $label }: заливкой показан доверительный интервал наклона Сена ({ $level })
note-drawn-faint = линия тренда показана светлым цветом
note-no-trend-line = поэтому линия тренда не показана
note-no-trend = { $label }: значимого тренда нет ({ $test }, p = { $p }), { $drawn }
note-too-few = { $label }: слишком мало значений для проверки тренда, { $drawn }
note-no-change-point = { $label }: значимой точки перелома нет (тест Петтитта, p = { $p })
note-event-rule = Пунктирная линия — { $period }: { $label }
note-route-gap = { $period } (нет данных: { $names })
note-route-coverage = { $label }: неполный охват стран транзита в { $count } { $count ->
    [one] периоде
   *[other] периодах
}, с { $first } по { $last }
note-coverage = Итоги охватывают страны, представившие данные; по некоторым рядам нет данных: { $parts }
note-incomplete-part = { $reporting ->
    [one] данные представила
   *[other] данные представили
} { $reporting } из { $total } { $total ->
    [one] страны
   *[other] стран
} за { $periods }{ $who }
note-incomplete-who = ; нет данных: { $names }
note-incomplete = { $label }: полые точки и пунктир — неполные итоги ({ $parts })
note-small-multiples = { $count } { $count ->
    [one] ряд
    [few] ряда
   *[other] рядов
} — больше, чем можно различить цветом ({ $most }): каждый ряд на отдельной панели
note-other = Прочие: { $names }
series-other = Прочие ({ $count } { $count ->
    [one] ряд
    [few] ряда
   *[other] рядов
})

## Подписи на рисунках

change-point-label = перелом после { $period } (тест Петтитта, p = { $p })
trend-line-label = { $label }: наклон Сена { $slope } в год
trend-line-label-faint = { $label }: наклон Сена { $slope } в год (статистически незначим)
event-label = { $period }: { $label }
subtitle = { $measure } ({ $unit }), { $labels }, { $period }
subtitle-log = { $measure } ({ $unit }, логарифмическая шкала), { $labels }, { $period }

## Альтернативный текст графика

alt-start = { $kind }: { $title }, { $period }
alt-change = { $label }: { $direction ->
    [fell] снижение с { $from } ({ $p0 }) до { $to } ({ $p1 })
    [rose] рост с { $from } ({ $p0 }) до { $to } ({ $p1 })
   *[stayed] без изменений, { $from } ({ $p0 }) и { $to } ({ $p1 })
}.
alt-only = { $label }: { $value }, данные только за { $period }.
alt-no-data = { $label }: нет данных.
alt-trend = Тренд ряда «{ $label }»: { $trend } ({ $test }, p = { $p }, n = { $n }), наклон Сена { $slope } в год.
alt-fewer-members = В отдельные годы некоторые итоги охватывают не все страны (см. примечания).
alt-marked = Отмечено — { $period }: { $label }.
alt-log = Ось значений логарифмическая.

## Карты

measure-total = всего за { $span }
measure-mean = в среднем за { $span }
measure-change = с { $from } по { $to }{ $years ->
    [yes] г.
   *[no] {""}
}
map-no-value = { $name } (нет данных за { $periods })
map-no-data = Нет данных: { $parts }.
map-subtitle = { $measure } ({ $unit }), { $what }{ $measures }, по странам, через которые проходит { $route }
map-alt-start = Карта: { $route }. Страна происхождения: { $origin }
map-alt-transit = ; страны транзита: { $transit }
map-alt-destination = ; страна назначения: { $destination }.
map-alt-none = { $what }: ни по одной стране маршрута нет данных.
map-alt-largest-rise = { $what }: наибольший рост — { $name }, { $value }
map-alt-smallest-change = { $what }: ни в одной стране маршрута с данными роста нет; наименьшее изменение — { $name }, { $value }
map-alt-most = { $what }: наибольший объем изъятий на маршруте — { $name }, { $value }
map-alt-then = ; далее { $others }
map-alt-missing = Нет данных: { $names }.

## routetrend plot

plot-title = { $indicator } ({ $drugs }): { $places }
plot-source = анализ routetrend: { $file }
indicator-seizures = изъятия
indicator-drug_offences = преступления, связанные с наркотиками

## Отчет

section-findings = Основные выводы
section-figures = Рисунки
section-claims = Проверка утверждений
section-tables = Таблицы
section-coverage = Охват данных
section-methods = Методы
section-provenance = Происхождение данных
contents = Содержание
figure-caption = Рисунок { $number }. { $what }. Источник: { $source }.
figure-caption-notes = Примечания: { $notes }.
heading-significant-trends = Значимые тренды
heading-share-changes = Изменения долей
column-statement = Утверждение
column-stated = Заявлено
column-computed = Рассчитано
column-coverage = Охват
column-verdict = Вывод
column-why = Обоснование
column-series = Ряд
column-window = Период
column-n = n
column-trend = Тренд
column-p = p
column-sen-slope = Наклон Сена
column-apc = Годовое изменение, % (APC)
column-notes = Примечания
column-share = Доля
column-periods = Периоды
column-first = Первый
column-second = Второй
column-change = Изменение
column-relative-change = Относительное изменение
column-test-p = p теста
column-place = Страна или регион
column-drug = Наркотик
column-years = Годы
column-observed = Наблюдения
column-missing-inside = Пропуски внутри периода
column-period = Период
findings-highlights = Главное
findings-trends = Тренды
findings-comparisons = Сравнения
findings-shares = Доли
findings-routes = Маршруты
findings-claims = Утверждения
provenance-rejected = Отклоненные строки входных данных: { $count } (файл, строка, столбец, значение и причина указаны в data/rejects.csv).
provenance-tool = Программа: { $tool }.
provenance-input = Входной файл { $file }: sha256 { $sha256 }; записей: { $records }, принято: { $kept }, отклонено: { $rejected }.
run-line = Запуск { $run } конвейера { $pipeline } ({ $data }), routetrend { $version }.
run-data-all = все данные
run-data-as-of = данные по состоянию на { $period }
run-data-span = { $data }: наблюдения с { $first } по { $last }
significant-trends-summary = Значимы при alpha = { $alpha } { $significant } из { $rows } строк трендов по рядам конвейера; все строки приведены в tables/trends.csv.
route-ratio-heading = { $route }: изъятия в стране назначения ({ $destination }) по отношению к изъятиям в странах транзита ({ $transit })
coverage-intro = Годовые ряды изъятий по странам, регионам и наркотикам, которые анализирует конвейер: годы, которые охватывает каждый ряд, годы с наблюдениями и пропущенные годы внутри этого периода.
