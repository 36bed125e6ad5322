{#- Staging cross joins reference.programme into every row: two rows would repeat every row
    under both ids, and none would empty the build. A build holds one programme. -#}
select count(*) as programmes
from {{ source('reference', 'programme') }}
having count(*) <> 1
