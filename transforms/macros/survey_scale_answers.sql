{#- The answer codes of both scales, lowest to highest, as in seeds/survey_answer_categories.csv.
    Listed here because the item-rate mart needs one count column per category at compile
    time, before any seed is loaded. A dbt test checks this list against the seed. -#}
{% macro survey_scale_answers() -%}
    {{ return([
        'much_less_confident', 'less_confident', 'about_the_same', 'more_confident', 'much_more_confident',
        'strongly_disagree', 'disagree', 'neither_agree_nor_disagree', 'agree', 'strongly_agree',
    ]) }}
{%- endmacro %}
